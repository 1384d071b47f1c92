// "Did you mean" suggestions: the closest known word by edit distance, for activations, keywords and npz members.

/// Spelling suggestions for "did you mean" help.
public enum Spelling {
    /// The candidate closest to `name` by edit distance (transpositions count 1), if it is close enough to be a
    /// plausible typo; a case-insensitive match always qualifies.
    public static func closest(to name: String, among candidates: [String]) -> String? {
        // A name longer than every candidate by more than the largest distance allowed matches none (and a 12 MB
        // name is not lowercased once per candidate).
        let longest = candidates.map { $0.unicodeScalars.count }.max() ?? 0
        guard name.unicodeScalars.prefix(longest + 3).count <= longest + 2 else { return nil }
        let lowered = name.lowercased()
        if let exact = candidates.first(where: { $0.lowercased() == lowered }) { return exact }
        let limit = max(1, min(2, name.count / 3))
        var best: (String, Int)?
        for candidate in candidates {
            let d = editDistance(lowered, candidate)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars.prefix(64)), y = Array(b.unicodeScalars.prefix(64))
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
