import SearchCore

/// Builds a `SearchRequest` from a query string (`GET .../search`) or a JSON body (`POST .../search`).
/// Both spell the same parameters; anything unknown, repeated, mistyped or out of range is a 400.
enum SearchParameters {
    static let queryStringNames: Set<String> = [
        "q", "limit", "cursor", "match", "ranking", "highlight", "highlight_pre", "highlight_post", "fragments",
        "fragment_words", "filter", "sort", "explain",
    ]
    static let bodyNames: Set<String> = ["q", "limit", "cursor", "match", "ranking", "highlight", "filter", "sort", "explain"]
    static let highlightNames: Set<String> = ["fields", "pre_tag", "post_tag", "fragments", "fragment_words"]

    static func fromQueryString(_ query: QueryString, collection: String) throws -> SearchRequest {
        try query.rejectUnknown(known: queryStringNames)
        var request = SearchRequest(collection: collection, query: try required(query.value("q")))
        if let limit = try query.value("limit") { request.limit = try integer(limit, "limit") }
        request.cursor = try query.value("cursor").flatMap { $0.isEmpty ? nil : $0 }
        if let match = try query.value("match") { request.match = try enumValue(match, "match") }
        if let ranking = try query.value("ranking") { request.ranking = try enumValue(ranking, "ranking") }
        var options = HighlightOptions()
        if let pre = try query.value("highlight_pre") { options.preTag = pre }
        if let post = try query.value("highlight_post") { options.postTag = post }
        if let fragments = try query.value("fragments") { options.maximumFragments = try integer(fragments, "fragments") }
        if let words = try query.value("fragment_words") { options.fragmentWords = try integer(words, "fragment_words") }
        request.highlight = try highlight(fields: try query.value("highlight"), options: options)
        let filters = query.values("filter")
        guard filters.count <= SearchRequest.maximumFilters else {
            throw APIError.badRequest("at most \(SearchRequest.maximumFilters) filters")
        }
        request.filters = try filters.map(FilterSyntax.parse)
        request.sort = try query.value("sort").map(sortOrder)
        if let explain = try query.value("explain") { request.explain = try boolean(explain, "explain") }
        return request
    }

    static func fromBody(_ body: JSONObjectReader, collection: String) throws -> SearchRequest {
        try body.rejectUnknown(known: bodyNames)
        var request = SearchRequest(collection: collection, query: try required(body.string("q")))
        if let limit = try body.int("limit") { request.limit = limit }
        request.cursor = try body.string("cursor")
        if let match = try body.string("match") { request.match = try enumValue(match, "match") }
        if let ranking = try body.string("ranking") { request.ranking = try enumValue(ranking, "ranking") }
        switch body.value("highlight") {
        case nil, .null?:
            request.highlight = HighlightRequest(fields: [HighlightRequest.allFields])
        case .bool(let enabled)?:
            request.highlight = enabled ? HighlightRequest(fields: [HighlightRequest.allFields]) : nil
        case .string(let fields)?:
            request.highlight = try highlight(fields: fields, options: HighlightOptions())
        case .array?:
            request.highlight = HighlightRequest(fields: try stringArray(body.array("highlight", maximum: HighlightRequest.maximumFields), "highlight"))
        case .object?:
            guard let reader = try body.object("highlight") else { break }
            try reader.rejectUnknown(known: highlightNames)
            var options = HighlightOptions()
            if let pre = try reader.string("pre_tag") { options.preTag = pre }
            if let post = try reader.string("post_tag") { options.postTag = post }
            if let fragments = try reader.int("fragments") { options.maximumFragments = fragments }
            if let words = try reader.int("fragment_words") { options.fragmentWords = words }
            let fields = try reader.array("fields", maximum: HighlightRequest.maximumFields).map { try stringArray($0, "highlight.fields") }
            request.highlight = HighlightRequest(fields: fields ?? [HighlightRequest.allFields], options: options)
        default:
            throw APIError.badRequest("highlight must be true, false, a list of fields or an object")
        }
        if let filters = try body.array("filter", maximum: SearchRequest.maximumFilters) {
            request.filters = try filters.map { value in
                if case .string(let text) = value { return try FilterSyntax.parse(text) }
                return try FilterSyntax.parse(object: JSONObjectReader(value, path: "filter"))
            }
        }
        request.sort = try body.string("sort").map(sortOrder)
        if let explain = try body.bool("explain") { request.explain = explain }
        return request
    }

    private static func required(_ query: String?) throws -> String {
        guard let query, !query.allSatisfy(\.isWhitespace) else {
            throw APIError.badRequest("parameter \"q\" is required")
        }
        return query
    }

    /// `highlight=title,text`; absent means every searchable field, `none` (or empty) turns it off.
    private static func highlight(fields: String?, options: HighlightOptions) throws -> HighlightRequest? {
        guard let fields else { return HighlightRequest(fields: [HighlightRequest.allFields], options: options) }
        if fields.isEmpty || fields == "none" { return nil }
        let names = fields.split(separator: ",").map { String($0) }
        guard names.count <= HighlightRequest.maximumFields else {
            throw APIError.badRequest("highlight takes at most \(HighlightRequest.maximumFields) fields")
        }
        return HighlightRequest(fields: names, options: options)
    }

    private static func stringArray(_ values: [JSONValue]?, _ name: String) throws -> [String] {
        try (values ?? []).map { value in
            guard case .string(let text) = value else { throw APIError.badRequest("\(name) must list field names") }
            return text
        }
    }

    /// `sort=field` or `sort=field:asc|desc`.
    private static func sortOrder(_ text: String) throws -> SortOrder {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard let field = parts.first, SearchableField.isValidName(String(field)) else {
            throw APIError.badRequest("sort must be \"field\" or \"field:asc\" / \"field:desc\"")
        }
        switch parts.count > 1 ? parts[1].lowercased() : "asc" {
        case "asc": return SortOrder(field: String(field), descending: false)
        case "desc": return SortOrder(field: String(field), descending: true)
        default: throw APIError.badRequest("sort order must be asc or desc")
        }
    }

    private static func integer(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text) else { throw APIError.badRequest("parameter \"\(name)\" must be an integer") }
        return value
    }

    private static func boolean(_ text: String, _ name: String) throws -> Bool {
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("parameter \"\(name)\" must be true or false")
        }
    }

    private static func enumValue<Value: RawRepresentable & CaseIterable>(_ text: String, _ name: String) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("parameter \"\(name)\" must be one of: \(allowed)")
        }
        return value
    }
}
