/// One page of a list: which page, how big, and the total count over all pages.
public struct PageRequest: Sendable, Equatable {
    public var page: Int
    public var limit: Int

    public init(page: Int, limit: Int) {
        self.page = page
        self.limit = limit
    }

    var offset: Int { (page - 1) * limit }
}

/// The items of one page and the number of items on all pages.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    public var request: PageRequest

    /// Number of pages for `total` items (0 when there are none).
    public var totalPages: Int { (total + request.limit - 1) / request.limit }
}
