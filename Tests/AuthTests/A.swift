import Testing
@testable import Auth
