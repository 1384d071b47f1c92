// NNFeynEval: the numbers of a Taylor expansion of an MLP around its expansion point x0 = network.point.
//
// Conventions, once for the whole module:
//   - A *Taylor coefficient* c_alpha multiplies the monomial (x - x0)^alpha; a *derivative* is
//     d^|alpha| y / dx^alpha. They are related by  derivative = c_alpha * alpha!,  alpha! = product of the
//     factorials of the index multiplicities (MonomialBasis.multiplicityFactorial). Evaluators work with Taylor
//     coefficients; `TaylorExpansion.derivative` converts at the edge.
//   - Activation rules (ActivationRules, in NNFeynAlgebra) return plain derivatives sigma^(k); the 1/k! is applied
//     here, when they become Taylor coefficients of sigma(z0 + delta).
//   - Everything symmetric is stored once per monomial, in MonomialBasis order (graded, then lexicographic);
//     a d^n-entry tensor is never built.
//   - Layers, neurons and orders in errors are 0-based.
//
// Entry points:
//   Expander.expand(model, order:, mode:, limit:)       exact / numeric / automatic, size-checked -> ExpansionResult
//   Expander.expand(network, order:)                    one arithmetic, any ActivationScalar -> TaylorExpansion
//   Expander.estimate(model, order:)                    ExpansionEstimate, before any allocation (never traps)
//   PointDerivatives(network:order:)                    the forward pass and sigma^(k) per layer (diagram evaluators)
//   Expander.multiprecisionExpansion(model, order:, bits:)  `expand --precision`: MPFR, every printed digit confirmed
//   ExpansionPlan(network, order:).numeric(at:)         repeated numeric expansions (BatchEvaluator, scratch reused)
//   ExpansionPlan(...).numeric(points:count:)           many points in one batch (points are GEMM rows)
//   ExpansionPlan(network, order: 2).reduce(_:points:)  Laplacian, Hessian diagonal, sum A_ij d_ij f, no Hessian formed
//   Expander.expand(model, order:, points:, mode:)      the same per point list, exact or numeric; also reduce, series
//   DirectionalSeries.line / .radius                    f(x0 + t v) as a one-input network; radius estimates
//   ExpansionCheck.run(expansion, of: model)            `nnfeyn check`: against the exact or MPFR reference
//                                                       (ReferenceFunction, ReferenceDerivatives), never the engine
