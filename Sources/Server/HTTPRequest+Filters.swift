import HTTPServer
extension HTTPRequest {
    /// A query filter's value; an empty one (`?category=`) means "no filter", as a form with an
    /// empty field would send it.
    func filter(_ name: String) -> String? {
        guard let value = query(name), !value.isEmpty else { return nil }
        return value
    }
}
