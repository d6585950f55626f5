import Testing
import HummingbirdTesting
@testable import App
