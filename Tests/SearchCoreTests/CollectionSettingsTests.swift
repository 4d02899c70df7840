import SearchCore
import Testing

@Suite struct CollectionSettingsTests {
    @Test(arguments: ["demo", "a", "scifact-2024", "x_y", String(repeating: "a", count: 64)])
    func validCollectionNames(_ name: String) throws {
        #expect(try CollectionName(name).rawValue == name)
    }

    @Test(arguments: ["", "Demo", "-lead", "_lead", "has space", "semi;colon", "ünï", String(repeating: "a", count: 65), "a'--"])
    func invalidCollectionNames(_ name: String) {
        #expect(throws: CollectionSettingsError.invalidCollectionName(name)) { try CollectionName(name) }
    }

    @Test func fieldNamesMatchTheDatabaseRule() throws {
        #expect(try SearchableField(name: "title", weight: .a).weight == .a)
        #expect(try SearchableField(name: "meta.author-name_2", weight: .d).name == "meta.author-name_2")
        for bad in ["", "1st", "a b", "x;DROP", String(repeating: "f", count: 129)] {
            #expect(throws: CollectionSettingsError.invalidFieldName(bad)) { try SearchableField(name: bad, weight: .b) }
        }
    }

    @Test func bm25ParametersAreRangeChecked() throws {
        #expect(Bm25Parameters.default.k1 == 0.9)
        #expect(Bm25Parameters.default.b == 0.4)
        #expect(try Bm25Parameters(k1: 1.2, b: 0.75).b == 0.75)
        #expect(throws: CollectionSettingsError.self) { try Bm25Parameters(k1: -0.1, b: 0.5) }
        #expect(throws: CollectionSettingsError.self) { try Bm25Parameters(k1: 1.2, b: 1.01) }
        #expect(throws: CollectionSettingsError.self) { try Bm25Parameters(k1: .nan, b: 0.5) }
        let error = #expect(throws: CollectionSettingsError.self) { try Bm25Parameters(k1: 11, b: 0.5) }
        #expect(error?.description.contains("k1") == true)
    }

    @Test func weightsOrderStrongestFirst() {
        #expect(FieldWeight.allCases.sorted() == [.a, .b, .c, .d])
        #expect(FieldWeight(rawValue: "E") == nil)
    }
}
