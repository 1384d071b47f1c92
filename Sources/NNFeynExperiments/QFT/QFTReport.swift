// The files every `nnfeyn qft` command writes.
//
// report.json (schema "nnfeyn.qft/1", keys sorted): what was measured and computed. Per width (key "width"): m2, m4,
// m6 and c6 (the connected six-point function), each {value, background, stderr, exact, expected}; ratio4 (signed
// (G4 - G4_GP)/G4_GP); max_z; and per order the tuples {index, gp, exact, sampled, stderr, connected_*}. Top level:
// slopes {m2, m4, m6, c6: {slope, stderr, exact, ...}}, coefficient4, and the command's own section (rg, sixpt, fit,
// derivs, depth). Nothing machine- or time-dependent is in it, so a merged run's report equals the single run's.
//
// accumulators.json (schema "nnfeyn.qft-accumulators/1"): the exact per-chunk, per-tuple sums a sampled report was
// computed from, with the configuration and which shards they hold; `qft merge` reads these.
import Foundation

/// What the observables of a run are.
public struct ObservableSet: Sendable, Codable, Equatable {
    /// "outputs" (f at input points) or "taylor" (Taylor coefficients at a point).
    public var kind: String
    /// Input points of "outputs".
    public var points: [[Double]]?
    /// The expansion point of "taylor".
    public var point: [Double]?
    /// The monomials (exponent vectors) of "taylor", in nnfeyn's basis order.
    public var monomials: [[Int]]?

    public static func outputs(_ points: [[Double]]) -> ObservableSet {
        ObservableSet(kind: "outputs", points: points, point: nil, monomials: nil)
    }

    public static func taylor(point: [Double], monomials: [[Int]]) -> ObservableSet {
        ObservableSet(kind: "taylor", points: nil, point: point, monomials: monomials)
    }

    /// The neuron-level observables the theory needs.
    var neuronObservables: [NeuronObservable] {
        if kind == "taylor", let point, let monomials { return monomials.map { .taylor(point: point, alpha: $0) } }
        return (points ?? []).map { .output($0) }
    }

    var count: Int { kind == "taylor" ? (monomials?.count ?? 0) : (points?.count ?? 0) }
}

/// How a report's samples were drawn.
public struct SamplingInfo: Sendable, Codable, Equatable {
    public var models: Int
    public var chunks: Int
    public var seed: UInt64
    /// Whether every shard is in (false for a merge of some shards only).
    public var complete: Bool
    /// Models actually accumulated (per width).
    public var modelsSampled: Int

    enum CodingKeys: String, CodingKey {
        case models, chunks, seed, complete
        case modelsSampled = "models_sampled"
    }
}

/// An estimate with its standard error and the exact value.
public struct EstimateReport: Sendable, Codable, Equatable {
    public var value: Double?
    public var stderr: Double?
    public var exact: Double?
}

/// report.json.
public struct QFTReport: Sendable, Codable, Equatable {
    public var schema = "nnfeyn.qft/1"
    public var command: String
    public var ensemble: QFTEnsemble
    public var observables: ObservableSet
    public var orders: [Int]
    public var sampling: SamplingInfo?
    public var widths: [WidthReport]
    public var slopes: [String: SlopeReport]
    /// The 1/N coefficient of the normalised connected four-point function: N ratio4 -> c as N -> infinity, from a
    /// weighted fit of N ratio4 = c + c'/N over the widths >= 5.
    public var coefficient4: EstimateReport?
    public var rg: RGReport?
    public var sixpt: SixPointReport?
    public var fit: FitReport?
    public var depth: DepthReport?
    public var derivs: DerivsReport?
    /// The relative accuracy of the exact theory's quadrature, measured on G2 against the closed-form kernel.
    public var theoryAccuracy: Double?
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case schema, command, ensemble, observables, orders, sampling, widths, slopes
        case coefficient4 = "coefficient4"
        case rg, sixpt, fit, depth, derivs, notes
        case theoryAccuracy = "theory_accuracy"
    }

    public init(command: String, ensemble: QFTEnsemble, observables: ObservableSet, orders: [Int], sampling: SamplingInfo?,
                widths: [WidthReport], slopes: [String: SlopeReport], coefficient4: EstimateReport?, notes: [String]) {
        self.command = command
        self.ensemble = ensemble
        self.observables = observables
        self.orders = orders
        self.sampling = sampling
        self.widths = widths
        self.slopes = slopes
        self.coefficient4 = coefficient4
        self.notes = notes
    }

    /// The JSON text: sorted keys, two-space indentation, a final newline.
    public func jsonData() throws -> Data {
        try QFTJSON.encode(self)
    }
}

/// accumulators.json.
public struct QFTAccumulators: Sendable, Codable, Equatable {
    public var schema = "nnfeyn.qft-accumulators/1"
    public var command: String
    public var ensemble: QFTEnsemble
    public var observables: ObservableSet
    public var orders: [Int]
    public var models: Int
    public var chunks: Int
    public var seed: UInt64
    public var slopeWidths: [Int]
    /// Shards: how many the run was cut into, and which of them these sums hold.
    public var shardCount: Int
    public var shards: [Int]
    public var widths: [WidthSums]
    /// rg, sixpt, fit: the cutoffs (null: infinite).
    public var cutoffs: [Double?]?
    /// fit: the first trainPoints observables are the training set, the rest the test set.
    public var trainPoints: Int?
    /// depth: the hidden-layer counts; `widths` then runs over depths, then widths (depth-major).
    public var depths: [Int]?

    enum CodingKeys: String, CodingKey {
        case schema, command, ensemble, observables, orders, models, chunks, seed
        case slopeWidths = "slope_widths"
        case shardCount = "shard_count"
        case shards, widths, cutoffs, depths
        case trainPoints = "train_points"
    }

    init(command: String, ensemble: QFTEnsemble, observables: ObservableSet, orders: [Int], models: Int, chunks: Int,
         seed: UInt64, slopeWidths: [Int], shardCount: Int, shards: [Int], widths: [WidthSums]) {
        self.command = command
        self.ensemble = ensemble
        self.observables = observables
        self.orders = orders
        self.models = models
        self.chunks = chunks
        self.seed = seed
        self.slopeWidths = slopeWidths
        self.shardCount = shardCount
        self.shards = shards
        self.widths = widths
    }

    /// Whether two accumulators come from the same run (everything but the shards and the sums agree).
    public func sameRun(as other: QFTAccumulators) -> Bool {
        command == other.command && ensemble == other.ensemble && observables == other.observables && orders == other.orders
            && models == other.models && chunks == other.chunks && seed == other.seed && shardCount == other.shardCount
            && widths.map(\.width) == other.widths.map(\.width) && slopeWidths == other.slopeWidths
            && cutoffs == other.cutoffs && trainPoints == other.trainPoints && depths == other.depths
    }

    public func jsonData() throws -> Data { try QFTJSON.encode(self) }
}

enum QFTJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}
