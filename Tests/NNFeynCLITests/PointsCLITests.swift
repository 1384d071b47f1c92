// `expand --points` and the reduced quantities through the real binary: the point axis of the JSON, the .npz arrays,
// agreement with the single-point expansion, and refused combinations.
import Foundation
import NNFeynAlgebra
import NNFeynNPZ
import NNFeynTestSupport
import Testing

@Suite struct PointsCLITests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-points-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
    }

    static func writePoints(_ rows: [[Double]], to path: String) throws {
        var archive = NPZArchive()
        archive.set("points", DenseArray(shape: [rows.count, rows[0].count], .float64(rows.flatMap { $0 })))
        try archive.encoded().write(to: URL(fileURLWithPath: path))
    }

    static func json(_ arguments: [String]) throws -> [String: Any] {
        let run = try runNNFeyn(arguments)
        try #require(run.exitCode == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// The toy model's own point is the origin: the first element of the point axis is the single-point expansion.
    @Test func pointsAddALeadingAxisAndMatchTheSinglePoint() throws {
        let path = Self.temporary("toy.npz")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.writePoints([[0, 0], [0.5, -0.25], [1, 2]], to: path)
        let batch = try Self.json(["expand", "grammar/examples/toy.nn", "--order", "3", "--points", path, "--numeric", "--format", "json"])
        #expect(batch["schema"] as? String == "nnfeyn.expansions/1")
        let expansions = try #require(batch["expansions"] as? [[String: Any]])
        #expect(expansions.count == 3)
        #expect((batch["points"] as? [[Double]]) == [[0, 0], [0.5, -0.25], [1, 2]])
        let single = try Self.json(["expand", "grammar/examples/toy.nn", "--order", "3", "--numeric", "--format", "json"])
        #expect(batch["mode"] as? String == "numeric")
        func coefficients(_ orders: Any?) throws -> [Double] {
            let list = try #require(orders as? [[String: Any]])
            return try list.flatMap { order in try #require(order["entries"] as? [[String: Any]]).map { ($0["coefficient"] as? Double) ?? .nan } }
        }
        let first = try coefficients(expansions[0]["orders"]), reference = try coefficients(single["orders"])
        #expect(first.count == reference.count)
        for (a, b) in zip(first, reference) { #expect(abs(a - b) <= 1e-13 * max(abs(b), 1)) }
        #expect((expansions[1]["point"] as? [String]) == ["1/2", "-1/4"])
    }

    /// The Laplacian is the trace of the order-2 derivatives of the full expansion, exactly.
    @Test func laplacianIsTheTraceOfTheExpansion() throws {
        let reduced = try Self.json(["expand", "grammar/examples/toy.nn", "--laplacian", "--exact", "--format", "json"])
        #expect(reduced["schema"] as? String == "nnfeyn.reduced/1")
        #expect(reduced["quantity"] as? String == "laplacian")
        let full = try Self.json(["expand", "grammar/examples/toy.nn", "--order", "2", "--exact", "--format", "json"])
        let orders = try #require(full["orders"] as? [[String: Any]])
        let second = try #require(orders[2]["entries"] as? [[String: Any]])
        let diagonal = second.filter { ($0["index"] as? [Int]).map { $0.count == 2 && $0[0] == $0[1] } ?? false }
        let values = try #require(reduced["values"] as? [[String]])
        #expect(values.count == 1)
        // Exact rationals: both sides are p/q strings; compare as the sum of the two diagonal derivatives.
        func rational(_ text: String) -> (Int, Int) {
            let parts = text.split(separator: "/").map { Int($0)! }
            return (parts[0], parts.count > 1 ? parts[1] : 1)
        }
        var (p, q) = (0, 1)
        for entry in diagonal {
            let (a, b) = rational(try #require(entry["derivative"] as? String))
            (p, q) = (p * b + a * q, q * b)
        }
        let (lp, lq) = rational(values[0][0])
        #expect(p * lq == lp * q)
    }

    @Test func reducedQuantitiesWriteArrays() throws {
        let points = Self.temporary("wide.npz"), output = Self.temporary("diag.npz")
        defer { for p in [points, output] { try? FileManager.default.removeItem(atPath: p) } }
        try Self.writePoints([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 0, 0, 0, 0, 0]], to: points)
        let run = try runNNFeyn(["expand", "grammar/examples/wide_input.nn", "--hessian-diagonal", "--numeric", "--points", points, "-o", output])
        try #require(run.exitCode == 0, "\(run.stderr)")
        let archive = try NPZArchive(contentsOf: URL(fileURLWithPath: output))
        let diagonal = try archive.array("hessian_diagonal"), values = try archive.array("values")
        #expect(diagonal.shape[0] == 2 && diagonal.shape[2] == 6)
        #expect(values.shape == [2, diagonal.shape[1]])
    }

    @Test func seriesReportsARadius() throws {
        let series = try Self.json(["expand", "grammar/examples/toy.nn", "--direction", "1,1", "--order", "24", "--numeric", "--format", "json"])
        #expect(series["schema"] as? String == "nnfeyn.series/1")
        let coefficients = try #require(series["coefficients"] as? [[[Double]]])
        #expect(coefficients[0][0].count == 25)
        let radius = try #require((series["radius"] as? [[[String: Any]]])?[0][0])
        #expect(radius["ratio"] != nil && radius["pade"] != nil)
    }

    @Test func conflictingRequestsAreUsageErrors() throws {
        for arguments in [["--laplacian", "--hessian-diagonal"], ["--laplacian", "--by-diagram"], ["--direction", "1"],
                          ["--laplacian", "--dense", "-o", Self.temporary("refused.npz")], ["--laplacian", "--format", "npz"]] {
            let run = try runNNFeyn(["expand", "grammar/examples/toy.nn"] + arguments)
            #expect(run.exitCode == 1, "\(arguments): \(run.stderr)")
            #expect(!run.stderr.isEmpty)
        }
    }
}
