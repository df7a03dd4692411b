//! Timing samples pooled over rounds, one entry per (N, levels, threads, engine, op):
//! the rows of peers.csv (wall clock) and peers-cpu.csv (process CPU time).

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

/// Which clock a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Elapsed time: what a user waits for; inflated when the machine is loaded.
    Wall,
    /// CPU time of the engine's process, all its threads: the work done, steadier under load.
    Cpu,
}

/// Wall and CPU samples (ms) of one row.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub wall: Vec<f64>,
    pub cpu: Vec<f64>,
}

impl Timings {
    fn get(&self, measure: Measure) -> &[f64] {
        match measure {
            Measure::Wall => &self.wall,
            Measure::Cpu => &self.cpu,
        }
    }
}

#[derive(Debug, Default)]
pub struct Samples {
    rows: Vec<(RowKey, Timings)>,
}

impl Samples {
    pub fn add(&mut self, key: RowKey, wall: &[f64], cpu: &[f64]) {
        let pos = match self.rows.iter().position(|(k, _)| *k == key) {
            Some(pos) => pos,
            None => {
                self.rows.push((key, Timings::default()));
                self.rows.len() - 1
            }
        };
        let t = &mut self.rows[pos].1;
        t.wall.extend_from_slice(wall);
        t.cpu.extend_from_slice(cpu);
    }

    pub fn median(&self, key: &RowKey, measure: Measure) -> Option<f64> {
        self.rows
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| stats::median(t.get(measure)))
            .filter(|m| !m.is_nan())
    }

    /// Rows sorted by N, threads, op (OPS order), engine (ENGINES order).
    pub fn sorted(&self) -> Vec<&(RowKey, Timings)> {
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

    /// `isa,op,log_n,levels,engine,threads,median_ms,min_ms,max_ms` in one measure.
    pub fn to_csv(&self, isa: &str, measure: Measure) -> String {
        let mut csv = String::from("isa,op,log_n,levels,engine,threads,median_ms,min_ms,max_ms\n");
        for (k, t) in self.sorted() {
            let v = t.get(measure);
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
        s.add(key("openfhe", "rotate"), &[5.0], &[4.0]);
        s.add(key("lowdepth", "rotate"), &[1.0, 3.0], &[1.0, 2.0]);
        s.add(key("lowdepth", "rotate"), &[2.0], &[1.5]);
        assert_eq!(
            s.median(&key("lowdepth", "rotate"), Measure::Wall),
            Some(2.0)
        );
        assert_eq!(
            s.median(&key("lowdepth", "rotate"), Measure::Cpu),
            Some(1.5)
        );
        assert!(s
            .to_csv("ifma", Measure::Cpu)
            .contains("ifma,rotate,15,16,openfhe,1,4.0000"));
        let csv = s.to_csv("ifma", Measure::Wall);
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
