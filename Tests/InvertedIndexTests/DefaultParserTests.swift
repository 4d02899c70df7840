import InvertedIndex
import Testing

/// Each expectation is what PostgreSQL 15's `ts_parse('default', text)` returns (checked on the dev server),
/// written as `alias:token`.
@Suite struct DefaultParserTests {
    static func parse(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return DefaultParser.tokens(in: text).map { token in
            "\(token.kind.alias):" + String(decoding: bytes[token.byteRange], as: UTF8.self)
        }
    }

    @Test(arguments: [
        ("Search engines", ["asciiword:Search", "blank: ", "asciiword:engines"]),
        ("naïve café", ["word:naïve", "blank: ", "word:café"]),
        ("abc123 123abc", ["numword:abc123", "blank: ", "numword:123abc"]),
        ("don't", ["asciiword:don", "blank:'", "asciiword:t"]),
        ("foo_bar", ["asciiword:foo", "blank:_", "asciiword:bar"]),
        ("ÅNGSTRÖM", ["word:ÅNGSTRÖM"]),
        // A combining accent continues a word but cannot start one.
        ("e\u{301}te", ["word:e\u{301}te"]),
        ("\u{301}b", ["blank:\u{301}", "asciiword:b"]),
    ])
    func words(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    @Test(arguments: [
        ("well-known", ["asciihword:well-known", "hword_asciipart:well", "blank:-", "hword_asciipart:known"]),
        ("NF-κB", ["hword:NF-κB", "hword_asciipart:NF", "blank:-", "hword_part:κB"]),
        ("β-cell", ["hword:β-cell", "hword_part:β", "blank:-", "hword_asciipart:cell"]),
        ("IL-6R", ["numhword:IL-6R", "hword_asciipart:IL", "blank:-", "hword_numpart:6R"]),
        ("a-b-c", ["asciihword:a-b-c", "hword_asciipart:a", "blank:-", "hword_asciipart:b", "blank:-", "hword_asciipart:c"]),
        ("co-operate.", ["asciihword:co-operate", "hword_asciipart:co", "blank:-", "hword_asciipart:operate", "blank:."]),
        // A part of digits alone ends the compound; its hyphen stays a blank of its own.
        ("anti-IL-6", ["asciihword:anti-IL", "hword_asciipart:anti", "blank:-", "hword_asciipart:IL", "blank:-", "uint:6"]),
        ("IL-6", ["asciiword:IL", "int:-6"]),
        ("6-month", ["uint:6", "blank:-", "asciiword:month"]),
        ("foo--bar", ["asciiword:foo", "blank:-", "blank:-", "asciiword:bar"]),
    ])
    func hyphenatedWords(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    @Test(arguments: [
        ("12 -12 +12", ["uint:12", "blank: ", "int:-12", "blank: ", "int:+12"]),
        ("1.5 -1.5", ["float:1.5", "blank: ", "float:-1.5"]),
        ("1e10 1.5e-3 10E8", ["sfloat:1e10", "blank: ", "sfloat:1.5e-3", "blank: ", "sfloat:10E8"]),
        ("1.2.3 -1.2.3", ["version:1.2.3", "blank: ", "blank:-", "version:1.2.3"]),
        ("1,000", ["uint:1", "blank:,", "uint:000"]),
        ("p<0.05", ["asciiword:p", "blank:<", "float:0.05"]),
        (".5 5.", ["blank:.", "uint:5", "blank: ", "uint:5", "blank:."]),
        ("1.5mg 5mg", ["float:1.5", "asciiword:mg", "blank: ", "numword:5mg"]),
        ("1e5x", ["sfloat:1e5", "asciiword:x"]),
    ])
    func numbers(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    @Test(arguments: [
        ("foo@bar.com", ["email:foo@bar.com"]),
        ("a.b-c_d@e.fg", ["email:a.b-c_d@e.fg"]),
        ("a@b.cd:80", ["email:a@b.cd:80"]),
        ("é1@a.bc", ["email:é1@a.bc"]),
        ("a@b", ["asciiword:a", "blank:@", "asciiword:b"]),
    ])
    func emails(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    @Test(arguments: [
        (
            "http://www.example.com/foo?x=1",
            ["protocol:http://", "url:www.example.com/foo?x=1", "host:www.example.com", "url_path:/foo?x=1"]
        ),
        ("(see ab.cd/x).", ["blank:(", "asciiword:see", "blank: ", "url:ab.cd/x).", "host:ab.cd", "url_path:/x)."]),
        ("www.example.com", ["host:www.example.com"]),
        ("example.com:8080", ["host:example.com:8080"]),
        ("ClinicalTrials.gov", ["host:ClinicalTrials.gov"]),
        // A missing space after a full stop makes a host name.
        ("end.The", ["host:end.The"]),
        ("ab.cd-ef", ["host:ab.cd", "blank:-", "asciiword:ef"]),
    ])
    func hostsAndURLs(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    @Test(arguments: [
        ("/usr/local/bin", ["file:/usr/local/bin"]),
        ("~/notes.txt", ["file:~/notes.txt"]),
        ("./a ../b", ["file:./a", "blank: ..", "file:/b"]),
        ("and/or", ["file:and/or"]),
        ("mg/kg", ["file:mg/kg"]),
        ("C57BL/6", ["file:C57BL/6"]),
        // A last label shorter than two letters, or with digits, is no domain: these are paths.
        ("e.g.", ["file:e.g", "blank:."]),
        ("H2A.Z", ["file:H2A.Z"]),
        ("ab.c", ["file:ab.c"]),
        (".. x", ["file:..", "blank: ", "asciiword:x"]),
        ("ab/..x", ["asciiword:ab", "blank:/..", "asciiword:x"]),
    ])
    func files(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    @Test(arguments: [
        ("<b>bold</b>", ["tag:<b>", "asciiword:bold", "tag:</b>"]),
        ("<a href=\"x\">link</a>", ["tag:<a href=\"x\">", "asciiword:link", "tag:</a>"]),
        ("<!-- c -->", ["tag:<!-- c -->"]),
        ("<br/>", ["tag:<br/>"]),
        ("<?xml version=\"1.0\"?>", ["tag:<?xml version=\"1.0\"?>"]),
        ("<a b<c>", ["blank:<", "asciiword:a", "blank: ", "asciiword:b", "tag:<c>"]),
        // In a quoted value a backslash escapes the next character.
        (#"<a b="\"" c>d"#, [#"tag:<a b="\"" c>"#, "asciiword:d"]),
        // Script and style content is blank up to the closing tag.
        ("<script>var x</script>y", ["tag:<script>", "blank:var x", "tag:</script>", "asciiword:y"]),
    ])
    func tags(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    @Test(arguments: [
        ("&amp; &#123; &#x1F;", ["entity:&amp;", "blank: ", "entity:&#123;", "blank: ", "entity:&#x1F;"]),
        ("&NA;", ["entity:&NA;"]),
        ("&amp", ["blank:&", "asciiword:amp"]),
        ("&β;", ["blank:&", "word:β", "blank:;"]),
    ])
    func entities(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    /// A blank runs up to the next character that could start a token: `-`, `+`, `&`, `<` and `/` stop it.
    @Test(arguments: [
        ("a -- b", ["asciiword:a", "blank: ", "blank:-", "blank:- ", "asciiword:b"]),
        ("a ~~ b", ["asciiword:a", "blank: ~~ ", "asciiword:b"]),
        ("a && b", ["asciiword:a", "blank: ", "blank:&", "blank:& ", "asciiword:b"]),
        ("x,~y", ["asciiword:x", "blank:,~", "asciiword:y"]),
    ])
    func blanks(_ text: String, _ expected: [String]) {
        #expect(Self.parse(text) == expected)
    }

    @Test func byteRangesAreUTF8Offsets() {
        let tokens = DefaultParser.tokens(in: "Å naïve-like")
        #expect(tokens.map(\.byteRange) == [0..<2, 2..<3, 3..<14, 3..<9, 9..<10, 10..<14])
        #expect(tokens.map(\.kind) == [.word, .blank, .hyphenatedWord, .hyphenatedPart, .blank, .hyphenatedAsciiPart])
    }

    @Test func emptyTextHasNoTokens() {
        #expect(DefaultParser.tokens(in: "").isEmpty)
    }

    @Test func aliasesRoundTrip() {
        for kind in TokenClass.allCases {
            #expect(TokenClass(alias: kind.alias) == kind)
        }
        #expect(TokenClass.allCases.count == 23)
        #expect(TokenClass.unsignedInteger.rawValue == 22)
    }
}
