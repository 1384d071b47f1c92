// The one registry of diagnostic codes, grouped by phase:
//   E01xx lexing, parsing and the command line, E02xx names, shapes, parameters and files, E03xx expansion limits,
//   E04xx evaluation, E05xx training, data and experiments, E09xx internal errors.
// Every code a phase emits is a static member here, so a typo is a compile error, and every member has a registry
// entry (a test checks it), so `nnfeyn explain CODE` can always answer. Add a code by appending a member and an
// entry; never renumber or reuse a code once it has shipped.

/// A registered diagnostic code such as E0204.
public struct DiagnosticCode: Hashable, Sendable, CustomStringConvertible {
    /// The code as printed, e.g. "E0204".
    public let rawValue: String

    init(_ rawValue: String) { self.rawValue = rawValue }

    /// The registered code spelled `text` (case-insensitive), or nil when there is none.
    public init?(registered text: String) {
        guard let entry = DiagnosticCode.entry(for: text) else { return nil }
        self = entry.code
    }

    public var description: String { rawValue }

    /// One registered code.
    public struct Entry: Sendable, Equatable {
        /// The code.
        public let code: DiagnosticCode
        /// A one-line title.
        public let title: String
        /// A long explanation, several sentences, with an example where it helps.
        public let explanation: String

        init(code: String, title: String, explanation: String) {
            self.code = DiagnosticCode(code)
            self.title = title
            self.explanation = explanation
        }
    }

    /// The registry entry of a code (case-insensitive), or nil when the code is unknown.
    public static func entry(for text: String) -> Entry? {
        let wanted = text.uppercased()
        return registry.first { $0.code.rawValue == wanted }
    }

    /// The registry entry of this code.
    public var entry: Entry? { DiagnosticCode.entry(for: rawValue) }

    public static let unexpectedCharacter = DiagnosticCode("E0101")
    public static let malformedNumber = DiagnosticCode("E0102")
    public static let unterminatedString = DiagnosticCode("E0103")
    public static let syntaxError = DiagnosticCode("E0104")
    public static let misplacedClause = DiagnosticCode("E0105")
    public static let keywordAsName = DiagnosticCode("E0106")
    public static let tooManyErrors = DiagnosticCode("E0107")
    public static let unreadableFile = DiagnosticCode("E0201")
    public static let notUTF8 = DiagnosticCode("E0202")
    public static let missingLayers = DiagnosticCode("E0203")
    public static let unknownActivation = DiagnosticCode("E0204")
    public static let duplicateLayer = DiagnosticCode("E0205")
    public static let layerNamedLikeInput = DiagnosticCode("E0206")
    public static let missingInput = DiagnosticCode("E0207")
    public static let duplicateStatement = DiagnosticCode("E0208")
    public static let fanInMismatch = DiagnosticCode("E0209")
    public static let rowCountMismatch = DiagnosticCode("E0210")
    public static let raggedWeight = DiagnosticCode("E0211")
    public static let biasLengthMismatch = DiagnosticCode("E0212")
    public static let pointDimensionMismatch = DiagnosticCode("E0213")
    public static let pointNameMismatch = DiagnosticCode("E0214")
    public static let sizeOutOfRange = DiagnosticCode("E0215")
    public static let tooManyParameters = DiagnosticCode("E0216")
    public static let duplicateClause = DiagnosticCode("E0217")
    public static let missingParameters = DiagnosticCode("E0218")
    public static let unreadableParameters = DiagnosticCode("E0219")
    public static let missingMember = DiagnosticCode("E0220")
    public static let memberShape = DiagnosticCode("E0221")
    public static let memberValues = DiagnosticCode("E0222")
    public static let polyWithoutCoefficients = DiagnosticCode("E0223")
    public static let unexpectedArguments = DiagnosticCode("E0224")
    public static let usage = DiagnosticCode("E0108")
    public static let unknownCode = DiagnosticCode("E0109")
    public static let cannotWrite = DiagnosticCode("E0225")
    public static let overwritesInput = DiagnosticCode("E0226")
    public static let pytorchCheckpoint = DiagnosticCode("E0227")
    public static let parameterKeys = DiagnosticCode("E0228")
    public static let activationCount = DiagnosticCode("E0229")
    public static let unwritableName = DiagnosticCode("E0230")
    public static let unusableExpansion = DiagnosticCode("E0231")
    public static let negativeOrder = DiagnosticCode("E0301")
    public static let tooLarge = DiagnosticCode("E0302")
    public static let tooManyDiagrams = DiagnosticCode("E0303")
    public static let irrational = DiagnosticCode("E0401")
    public static let reluKink = DiagnosticCode("E0402")
    public static let nonFinite = DiagnosticCode("E0403")
    public static let diagramEvaluation = DiagnosticCode("E0404")
    public static let unreadableData = DiagnosticCode("E0501")
    public static let dataArray = DiagnosticCode("E0502")
    public static let unusableData = DiagnosticCode("E0503")
    public static let diverged = DiagnosticCode("E0504")
    public static let experimentFailed = DiagnosticCode("E0505")
    public static let unmergeable = DiagnosticCode("E0506")
    public static let internalError = DiagnosticCode("E0901")

    /// Every registered code, in numeric order.
    public static let registry: [Entry] = [
        // MARK: E01xx lexing and parsing
        Entry(code: "E0101", title: "unexpected character", explanation: """
            The model file contains a character that cannot start any token. Tokens are identifiers (letters, digits \
            and '_', not starting with a digit), numbers, double-quoted strings and the punctuation ':' '=' ',' '(' \
            ')' '[' ']'. Comments start with '#' and run to the end of the line.

            Common causes: a '+' sign on a number (write '1', not '+1'), a space between '-' and its number (write \
            '-1/2'), or a non-ASCII letter in a name (names are ASCII).
            """),
        Entry(code: "E0102", title: "malformed number literal", explanation: """
            A number must be an integer ('3', '-12'), a fraction of two integers without spaces ('1/3', '-7/2'), or \
            a decimal with an optional exponent ('0.25', '1e-3', '-2.5E+2'). Every number is read exactly as a \
            rational: 0.1 is 1/10, not the nearest double.

            A fraction's denominator must not be zero, a decimal point must have digits on both sides ('0.5', not \
            '.5' or '5.'), a number must not run into letters ('3tanh' needs a space: '3 tanh'), a literal is at \
            most 1000 characters long, an exponent is at most 100000 in magnitude, and all the literals of a file \
            together expand to at most 10 million digits.
            """),
        Entry(code: "E0103", title: "unterminated string", explanation: """
            A string (the file name after 'parameters', a tensor's name after 'from') opened with '"' must be \
            closed with '"' on the same line. Strings have no escape sequences.

                parameters "weights.npz"
            """),
        Entry(code: "E0104", title: "syntax error", explanation: """
            The parser expected one thing and found another. The message says what was expected. A model is a \
            sequence of statements, each starting with a keyword:

                network NAME
                input NAME : DIMENSION
                dense NAME : WIDTH ACTIVATION [weight [[...], ...] | weight from "KEY" [transposed]]
                                              [bias [...] | bias none | bias from "KEY"]
                parameters "FILE"
                at NAME = [x1, x2, ...]

            The parser recovers at the next keyword and reports every syntax error it finds (at most 20).
            """),
        Entry(code: "E0105", title: "clause outside a layer", explanation: """
            'weight' and 'bias' clauses belong to the 'dense' layer written just before them. One appeared where no \
            layer was open, for example right after an 'input' statement, or after a layer whose header had an \
            error. Move the clause under its layer:

                dense h : 2 tanh
                  weight [[1, 0], [0, 1]]
                  bias [0, 0]
            """),
        Entry(code: "E0106", title: "keyword used as a name", explanation: """
            The words 'network', 'input', 'dense', 'weight', 'bias', 'parameters' and 'at' are keywords and cannot \
            name the model, the input or a layer. Choose another name, such as 'input1' or 'dense_1'.
            """),
        Entry(code: "E0107", title: "too many errors", explanation: """
            At most 20 errors are reported: parsing stops after 20 syntax errors, and the checks after parsing \
            show their first 20. Later errors are often consequences of the first ones. Fix the reported errors \
            and run again.
            """),
        Entry(code: "E0108", title: "invalid command-line arguments", explanation: """
            The command line itself could not be parsed: an unknown option, a missing or malformed value (for \
            example '--format xml' or '--limit -5'), or a missing model file argument. Every command prints its \
            options with --help, e.g. 'nnfeyn expand --help'.
            """),
        Entry(code: "E0109", title: "unknown diagnostic code", explanation: """
            'nnfeyn explain' takes a code that nnfeyn prints, such as E0204 (letters are case-insensitive). \
            'nnfeyn explain all' lists every code with its title.
            """),
        // MARK: E02xx names, shapes, parameters and files
        Entry(code: "E0201", title: "cannot read the model file", explanation: """
            The model file does not exist, is a directory, cannot be read with the current permissions, or is larger \
            than the 64 MiB a model file may have. Check the path: a relative path is relative to the current \
            directory.
            """),
        Entry(code: "E0202", title: "model file is not UTF-8", explanation: """
            Model files must be UTF-8 text (ASCII is fine). The diagnostic points at the first byte that is not \
            valid UTF-8. Re-save the file as UTF-8, or remove the offending characters; they are usually in a \
            comment pasted from elsewhere.
            """),
        Entry(code: "E0203", title: "no layers", explanation: """
            A model needs at least one 'dense' layer; the last layer is the output.

                input x : 2
                dense y : 1 linear
                  weight [[1, 1]]
                  bias [0]
            """),
        Entry(code: "E0204", title: "unknown activation", explanation: """
            The activation after a layer's width must be one of: linear, tanh, sigmoid, softplus, silu, gelu, erf, \
            sin, cos, exp, square, relu, or a polynomial poly(c0, c1, ...) meaning c0 + c1 z + c2 z^2 + ... Names are \
            lowercase. When the name is close to a known one, the diagnostic suggests it.
            """),
        Entry(code: "E0205", title: "duplicate layer name", explanation: """
            Two layers have the same name. Layer names must be unique: diagnostics, outputs and the arrays of a \
            'parameters' file ('<layer>.weight', '<layer>.bias') refer to layers by name.
            """),
        Entry(code: "E0206", title: "layer named like the input", explanation: """
            A layer has the same name as the input vector. Names must be distinct so that every formula and \
            diagnostic is unambiguous; rename the layer or the input.
            """),
        Entry(code: "E0207", title: "missing input", explanation: """
            The model has no 'input' statement, so the dimension of the first layer's input is unknown. Declare the \
            input vector and its dimension:

                input x : 2
            """),
        Entry(code: "E0208", title: "duplicate statement", explanation: """
            'network', 'input', 'parameters' and 'at' may each appear at most once in a model. The diagnostic \
            points at the second occurrence and names the line of the first.
            """),
        Entry(code: "E0209", title: "weight does not match the fan-in", explanation: """
            Layer k computes z = W a + b where a is the previous layer's output (the input vector for the first \
            layer). W therefore has as many columns as the previous layer's width, its fan-in. Each row of an inline \
            'weight' lists one neuron's incoming weights, so every row must have fan-in entries.

                input x : 2
                dense h : 3 tanh
                  weight [[1, 0], [0, 1], [1, 1]]   # 3 rows (width) of 2 entries (fan-in)
            """),
        Entry(code: "E0210", title: "weight has the wrong number of rows", explanation: """
            A layer's weight has one row per neuron (width x fan-in, the PyTorch layout), so a layer of width 3 \
            needs exactly 3 rows. If you wrote the transpose (fan-in x width), swap rows and columns.
            """),
        Entry(code: "E0211", title: "weight rows of different lengths", explanation: """
            Every row of a weight matrix must have the same number of entries (the fan-in). The diagnostic points \
            at a row whose length differs.
            """),
        Entry(code: "E0212", title: "bias has the wrong length", explanation: """
            A layer's bias has one entry per neuron, so its length must equal the layer's width. Write 'bias none' \
            for a layer without bias (all zeros).
            """),
        Entry(code: "E0213", title: "expansion point has the wrong dimension", explanation: """
            The point after 'at' is where the network is expanded; it needs one coordinate per input dimension. \
            Without an 'at' statement the expansion point is the origin.
            """),
        Entry(code: "E0214", title: "expansion point names another variable", explanation: """
            'at NAME = [...]' must name the input vector declared by 'input NAME : DIMENSION'.
            """),
        Entry(code: "E0215", title: "size out of range", explanation: """
            Widths and the input dimension must be whole numbers from 1 to 100000. Larger sizes are almost always \
            typos, and they would make expansions impossible to compute anyway.
            """),
        Entry(code: "E0216", title: "too many parameters", explanation: """
            The network has more than 50 million weights and biases in total. nnfeyn computes exact higher-order \
            derivatives, whose cost grows quickly with the network's size; a network this large is out of reach, \
            so it is rejected before any memory is allocated for it.
            """),
        Entry(code: "E0217", title: "clause given twice", explanation: """
            A layer has two 'weight' clauses or two 'bias' clauses. Keep one. A layer may take its weight inline and \
            its bias from the 'parameters' file, or the other way round, but each array comes from exactly one \
            place.
            """),
        Entry(code: "E0218", title: "layer has no parameters", explanation: """
            A layer needs a weight and a bias, written inline ('weight [[...]]', 'bias [...]' or 'bias none') or \
            read from the file of tensors named by 'parameters "FILE"' (an .npz or a safetensors file): by name \
            with 'weight from "KEY"' and 'bias from "KEY"', as nnfeyn's own '<layer>.weight' and '<layer>.bias', \
            or from the file's layer order. This layer has neither for one of them, or it names a tensor with \
            'from' in a model without a 'parameters' file. (Tools that initialise parameters themselves, such as a \
            trainer, accept layers that have neither weight nor bias.)
            """),
        Entry(code: "E0219", title: "cannot read the parameters file", explanation: """
            The file named by 'parameters' is missing, unreadable, not a regular file (a FIFO or a device is \
            refused rather than waited on), or neither an .npz archive (a zip of .npy arrays, as written by \
            numpy.savez) nor a safetensors file. nnfeyn tells the two apart by their first bytes, not by the \
            extension. A relative path is resolved against the directory of the model file, not the current \
            directory.
            """),
        Entry(code: "E0220", title: "array missing from the parameters file", explanation: """
            A layer takes its weight and bias from the tensors a 'from "KEY"' clause names, else from nnfeyn's own \
            '<layer>.weight' and '<layer>.bias', and the file has no such tensor. The note lists what it has. Name \
            the tensor under the layer:

                dense h1 : 16 tanh
                  weight from "net.0.weight"
                  bias from "net.0.bias"

            A file whose layers are numbered in order (PyTorch's '0.weight', '2.weight', Flax's \
            'params/Dense_0/kernel') needs no names at all; 'nnfeyn import FILE' writes the model for it.
            """),
        Entry(code: "E0221", title: "array has the wrong shape", explanation: """
            A tensor from the parameters file has the wrong shape for its layer. A weight must be (width, fan-in), \
            PyTorch's layout, and a bias (width,). A weight stored (fan-in, width), as a Flax/JAX kernel is, is \
            read with 'weight from "KEY" transposed'. When the message names a tensor you did not mean, name the \
            right one with 'from'; the note lists what the file holds.
            """),
        Entry(code: "E0222", title: "array cannot be used", explanation: """
            A tensor from the parameters file is malformed, has an unsupported dtype (.npz: float64, float32 and \
            32- and 64-bit integers, little-endian, C or Fortran order; safetensors: F64, F32, F16, BF16 and the \
            integer types), or holds a NaN or an infinity. A member that inflates to more bytes than its .npy \
            header describes is malformed, and is refused as soon as it does. Values are read exactly: a float \
            becomes the exact binary fraction it stores, and a 64-bit integer beyond 2^53 keeps its exact value \
            (an exact expansion uses it; a numeric one, its nearest double).
            """),
        Entry(code: "E0223", title: "polynomial without coefficients", explanation: """
            'poly' needs its coefficients in parentheses, lowest degree first: poly(c0, c1, c2) is \
            c0 + c1 z + c2 z^2. At least one coefficient is required.
            """),
        Entry(code: "E0224", title: "activation takes no coefficients", explanation: """
            Only 'poly' takes coefficients in parentheses; the other activations are written by name alone, \
            e.g. 'tanh'.
            """),

        Entry(code: "E0225", title: "cannot write the output file", explanation: """
            A file nnfeyn was asked to write (with -o/--output, --out, or beside a trained model) cannot be written: \
            its folder does not exist or is not writable, the path is a directory, the file system is read-only, \
            or the disk filled up while writing. nnfeyn checks what it can before a long run starts. Every file is \
            written to a temporary file in the same folder and renamed into place only when complete, so a failed \
            or killed write never leaves a half-written file and never destroys the previous one.
            """),

        Entry(code: "E0226", title: "output would replace an input", explanation: """
            The output file named with -o/--output is also an input of the same command (for 'train', the model \
            file it starts from or that model's parameters; for 'import', the file of tensors). Writing it would \
            destroy the input while it is still needed and make the run impossible to repeat. Choose another \
            output name, or (for 'train') pass --overwrite-input if you really mean to replace the model.
            """),

        Entry(code: "E0227", title: "a PyTorch checkpoint, not a file of tensors", explanation: """
            The parameters file (or the file given to 'nnfeyn import') is a PyTorch checkpoint written by \
            torch.save: a zip of Python pickles, or a bare pickle in the legacy format. Reading a pickle means \
            running the code it names, so nnfeyn never does. Save the weights as safetensors instead, which holds \
            tensors only:

                from safetensors.torch import save_file
                save_file(model.state_dict(), "m.safetensors")

            (For tensors that share memory, save {k: v.contiguous() for k, v in model.state_dict().items()}.) \
            NumPy's numpy.savez("m.npz", **arrays) works as well.
            """),

        Entry(code: "E0228", title: "cannot match the file's tensors to layers", explanation: """
            Layers that name no tensors (no 'from' clause, no '<layer>.weight' in the file) take the file's layers \
            in order, and the file does not say which tensors those are. The rule: tensor names end in a role \
            ('.weight' or '/kernel' for the matrix, '.bias' or '/bias'), the prefix before the role is a layer \
            with a number ('0', 'net.2', 'model.layers.3', 'params/Dense_1'), the numbers order the layers, there \
            are as many as layers without parameters, and each one's shapes are its layer's (a PyTorch weight is \
            (out, in), a Flax kernel (in, out)). The first note says which part of the rule fails, the second \
            lists the file. Name the tensors under each layer with 'weight from "KEY"' and 'bias from "KEY"'.
            """),

        Entry(code: "E0229", title: "activations do not match the layers", explanation: """
            'nnfeyn import' found a number of layers in the file, and --activations must name one activation per \
            layer, the output layer's last (for example 'tanh,tanh,linear' for three layers). With --activation A \
            instead, every hidden layer gets A and the output layer is linear. Give one of the two, not both.
            """),

        Entry(code: "E0230", title: "a name the model file cannot hold", explanation: """
            'nnfeyn import' writes tensor names and the parameters path as double-quoted strings, which cannot \
            contain a double quote or a line break, and names (--input-name, --network) as identifiers: ASCII \
            letters, digits and '_', not starting with a digit, and not a keyword. Rename the tensor or the file, \
            or choose another name.
            """),
        Entry(code: "E0231", title: "expansion file cannot be used", explanation: """
            'nnfeyn check --expansion FILE' judges an expansion written by 'nnfeyn expand --format json' (schema \
            nnfeyn.expansion/1) instead of computing one. The file must expand the same model: same input \
            dimension, outputs and point, every entry up to the checked order, and coefficients that are all \
            exact fractions ("p/q"), all JSON numbers, or all decimal strings with the 'precision' object of \
            'expand --precision'.
            """),

        // MARK: E03xx expansion limits
        Entry(code: "E0301", title: "order must be non-negative", explanation: """
            The expansion order is the highest total derivative degree to compute. It must be 0 (the value only) \
            or more.
            """),
        Entry(code: "E0302", title: "expansion too large", explanation: """
            The requested expansion would produce more terms or diagrams than the configured limit. The number of \
            distinct derivatives of order n of a function of d inputs is C(n + d - 1, n) per output, and the \
            number of diagrams grows faster still. Lower the order, use fewer inputs, or raise the limit if you \
            really mean it.
            """),
        Entry(code: "E0303", title: "too many diagrams", explanation: """
            Listing diagrams evaluates each one, and the number of diagrams grows faster than exponentially with \
            the order (for two nonlinear layers it is the number of integer partitions; for more layers faster \
            still). 'nnfeyn diagrams --count' counts them for any order without enumerating. Lower the order, \
            filter with --top-layer or --vertices, or raise --max-diagrams.
            """),

        // MARK: E04xx evaluation
        Entry(code: "E0401", title: "irrational value in exact mode", explanation: """
            Exact evaluation computes with rationals, but an activation's value or derivative at this layer's \
            pre-activation is irrational (for example tanh(1/3) or exp(1)). Exact mode works where every such \
            value is rational, typically at z = 0 for tanh, sigmoid, sin, cos, exp and silu. Expand at a point \
            where the pre-activations vanish, or use floating-point evaluation.
            """),
        Entry(code: "E0402", title: "relu at its kink", explanation: """
            A relu neuron's pre-activation is exactly 0 at the expansion point, where relu is not differentiable. \
            Its derivatives there are undefined, so no expansion exists. Move the expansion point, or change the \
            bias so that no pre-activation is exactly zero.
            """),
        Entry(code: "E0403", title: "non-finite numeric value", explanation: """
            Floating-point evaluation produced a NaN or an infinity, usually because an exp or softplus overflowed \
            or weights are very large. Check the parameters, or use exact evaluation where it applies.
            """),
        Entry(code: "E0404", title: "diagram evaluation failed", explanation: """
            A diagram could not be evaluated: its contribution tensor would not fit in memory, or the point data \
            it needs is missing. The message says which. Lower the order or the input dimension.
            """),

        // MARK: E05xx training, data and experiments
        Entry(code: "E0501", title: "cannot read the data file", explanation: """
            The data file given with --data does not exist, is not a regular file, or is not an .npz archive (a \
            zip of .npy arrays, as written by numpy.savez or 'nnfeyn born data'). The note carries the reason.
            """),
        Entry(code: "E0502", title: "data array missing or of the wrong shape", explanation: """
            An array named by --input or --target is not in the data file, or its shape does not fit the network: \
            inputs are (count, input dimension) or (count,) for one input, targets are (count, outputs) or (count,) \
            for one output, with the same count. The message lists what the file holds.
            """),
        Entry(code: "E0503", title: "data cannot be used", explanation: """
            The data hold a NaN or an infinity, or there are no rows to train on (after the validation split). \
            Training on such data cannot give a meaningful network.
            """),
        Entry(code: "E0504", title: "training diverged", explanation: """
            The loss became NaN or infinite during training, almost always because the learning rate is too large \
            for the data's scale. Lower --lr, use --standardize for targets of large magnitude, or a schedule that \
            decays the rate. Nothing was written.
            """),
        Entry(code: "E0505", title: "experiment failed", explanation: """
            A step of an experiment (training a network, expanding it, evaluating the results) failed. The message \
            names the step and the reason. Files written before the failure are complete; nothing is half-written.
            """),

        Entry(code: "E0506", title: "cannot merge these accumulators", explanation: """
            'nnfeyn qft merge' reads DIR/accumulators.json from every directory it is given and adds their sums. \
            It refuses a file it cannot read or parse, accumulators of different runs (activation, points, widths, \
            models, chunks, seed or shard count differ: compare the 'qft run' arguments), and a shard given twice. \
            Shards of one run come from the same command line with --shard 0/K ... K-1/K.
            """),

        // MARK: E09xx internal errors
        Entry(code: "E0901", title: "internal error", explanation: """
            nnfeyn hit a condition its authors did not expect. The message carries the error as the system \
            reported it. Please report it with the command line and the input files that caused it.
            """),
    ]
}
