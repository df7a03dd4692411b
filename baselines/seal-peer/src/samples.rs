//! Timing samples pooled over rounds, one entry per (N, levels, threads, engine, op):
//! the rows of peers.csv.

use crate::stats;

/// Engines in the order of the CSV and of the interleaved rounds.
pub const ENGINES: [&str; 3] = ["lowdepth", "seal", "openfhe"];
/// Ops in the order of the CSV (every engine times these).
pub const OPS: [&str; 3] = ["mul_relin_rescale", "rotate", "rescale"];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowKey {
    pub log_n: u32,
    pub levels: usize,
    pub threads: usize,
    pub engine: String,
    pub op: String,
}

#[derive(Debug, Default)]
pub struct Samples {
    rows: Vec<(RowKey, Vec<f64>)>,
}

impl Samples {
    pub fn add(&mut self, key: RowKey, samples: &[f64]) {
        match self.rows.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.extend_from_slice(samples),
            None => self.rows.push((key, samples.to_vec())),
        }
    }

    pub fn median(&self, key: &RowKey) -> Option<f64> {
        self.rows
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| stats::median(v))
    }

    /// Rows sorted by N, threads, op (OPS order), engine (ENGINES order).
    pub fn sorted(&self) -> Vec<&(RowKey, Vec<f64>)> {
        let rank = |list: &[&str], x: &str| list.iter().position(|y| *y == x).unwrap_or(list.len());
        let mut rows: Vec<_> = self.rows.iter().collect();
        rows.sort_by_key(|(k, _)| {
            (
                k.log_n,
                k.levels,
                k.threads,
                rank(&OPS, &k.op),
                rank(&ENGINES, &k.engine),
            )
        });
        rows
    }

    /// peers.csv: `isa,op,log_n,levels,engine,threads,median_ms,min_ms,max_ms`.
    pub fn to_csv(&self, isa: &str) -> String {
        let mut csv = String::from("isa,op,log_n,levels,engine,threads,median_ms,min_ms,max_ms\n");
        for (k, v) in self.sorted() {
            csv.push_str(&format!(
                "{isa},{},{},{},{},{},{:.4},{:.4},{:.4}\n",
                k.op,
                k.log_n,
                k.levels,
                k.engine,
                k.threads,
                stats::median(v),
                stats::min(v),
                stats::max(v),
            ));
        }
        csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(engine: &str, op: &str) -> RowKey {
        RowKey {
            log_n: 15,
            levels: 16,
            threads: 1,
            engine: engine.into(),
            op: op.into(),
        }
    }

    #[test]
    fn rounds_pool_into_one_row_and_csv_is_ordered() {
        let mut s = Samples::default();
        s.add(key("openfhe", "rotate"), &[5.0]);
        s.add(key("lowdepth", "rotate"), &[1.0, 3.0]);
        s.add(key("lowdepth", "rotate"), &[2.0]);
        assert_eq!(s.median(&key("lowdepth", "rotate")), Some(2.0));
        let csv = s.to_csv("ifma");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "isa,op,log_n,levels,engine,threads,median_ms,min_ms,max_ms"
        );
        assert_eq!(
            lines[1],
            "ifma,rotate,15,16,lowdepth,1,2.0000,1.0000,3.0000"
        );
        assert_eq!(lines[2], "ifma,rotate,15,16,openfhe,1,5.0000,5.0000,5.0000");
    }
}
