import Hummingbird
import Storage

/// A page of a list: `{"data": [...], "meta": {"total", "page", "limit", "totalPages"}}`.
struct PageResponse<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    struct Meta: Encodable, Sendable {
        var total: Int
        var page: Int
        var limit: Int
        var totalPages: Int
    }

    var data: [Item]
    var meta: Meta

    init<Source>(_ page: Page<Source>, transform: (Source) -> Item) {
        self.data = page.items.map(transform)
        self.meta = Meta(total: page.total, page: page.request.page, limit: page.request.limit, totalPages: page.totalPages)
    }
}
