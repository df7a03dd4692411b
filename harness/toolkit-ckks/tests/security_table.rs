//! The planner (backend-agnostic toolkit) and the engine each keep the 128-bit table on
//! log2(QP); they must agree, or the planner would promise parameters the engine refuses.

#[test]
fn planner_and_engine_share_one_security_table() {
    for log_n in 0..=20 {
        assert_eq!(
            lowdepth_toolkit::planner::he_standard_max_log_qp(log_n),
            lowdepth_ckks::max_log_qp_128(log_n),
            "log_n = {log_n}"
        );
    }
}

#[test]
fn the_largest_planned_ring_is_one_the_engine_builds() {
    // 2^17 with a handful of primes: cheap to build, and the engine must not refuse it.
    let params = lowdepth_ckks::CkksParameters::try_new(lowdepth_ckks::ParameterSpec {
        log_n: 17,
        log_scale: 40,
        first_prime_bits: 50,
        levels: 2,
        dnum: 1,
        security: lowdepth_ckks::Security::Bits128,
    })
    .expect("2^17 parameters");
    assert_eq!(params.n(), 1 << 17);
    assert!(params.log_qp() <= 3523.0);
}
