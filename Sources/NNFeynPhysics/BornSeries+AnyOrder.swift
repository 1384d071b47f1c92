// The Born terms a_1 ... a_K of one step potential for any K: the scalar form of the recursion in BornTensors.swift
// (a_k' = U Σ_{i+j=k-1} b_i b_j, b_0 = r, b_i = -a_i), one r-polynomial of degree 2k+1 per order on each step.
// Cheap (O(K^2 (2K)^2) per step), for evaluating proxies on many test potentials.
import Foundation

extension BornSeries {
    /// a_1 ... a_K of the potential with `steps` values on the given edges, by exact polynomial integration.
    public static func terms(values: UnsafePointer<Double>, edges: UnsafePointer<Double>, steps: Int,
                             order K: Int) -> [Double] {
        precondition(K >= 1)
        let width = 2 * K + 2
        var poly = [Double](repeating: 0, count: (K + 1) * width)   // poly[k * width + d]: a_k on the step
        var top = [Int](repeating: -1, count: K + 1)
        var left = [Double](repeating: 0, count: K + 1)
        var q = [Double](repeating: 0, count: width)
        for m in 0..<steps {
            let U = values[m], a = edges[m], b = edges[m + 1]
            for k in 1...K {
                for d in 0..<width { q[d] = 0 }
                var qTop: Int
                if k == 1 {
                    q[2] = 1
                    qTop = 2
                } else {
                    qTop = top[k - 1] + 1
                    if top[k - 1] >= 0 { for d in 0...top[k - 1] { q[d + 1] -= 2 * poly[(k - 1) * width + d] } }
                    for i in stride(from: 1, through: k - 2, by: 1) {
                        let j = k - 1 - i
                        guard top[i] >= 0, top[j] >= 0 else { continue }
                        for d in 0...top[i] {
                            let x = poly[i * width + d]
                            for e in 0...top[j] { q[d + e] += x * poly[j * width + e] }
                        }
                        qTop = Swift.max(qTop, top[i] + top[j])
                    }
                }
                // a_k(s) = left_k + U ∫_a^s q.
                let base = k * width
                for d in 0..<width { poly[base + d] = 0 }
                var atA = 0.0
                if qTop >= 0 {
                    for d in stride(from: qTop, through: 0, by: -1) {
                        let c = U * q[d] / Double(d + 1)
                        poly[base + d + 1] = c
                        atA = (atA + c) * a
                    }
                }
                poly[base] = left[k] - atA
                top[k] = U == 0 ? 0 : qTop + 1
            }
            for k in 1...K {
                var y = 0.0
                for d in stride(from: top[k], through: 0, by: -1) { y = y * b + poly[k * width + d] }
                left[k] = y
            }
        }
        return Array(left[1...K])
    }
}
