//! A bound on YAML nesting, checked on the raw text before the parser sees it: the parser
//! recurses per level, and 100,000 nested `[` took it 41 s. Configs nest 3 levels deep.
//!
//! The scan over-estimates (brackets in block scalars count too), which is harmless at
//! these limits: flow brackets `[` and `{` outside quotes and comments, and per line the
//! indentation plus the block-sequence markers (`- - - x` nests three sequences).

/// Deepest flow nesting (`[`, `{`) a config may have.
pub const MAX_FLOW_DEPTH: usize = 32;
/// Largest indentation plus sequence markers of one line.
pub const MAX_BLOCK_DEPTH: usize = 128;
/// Largest config file; the checked-in configs are under 2 KiB.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// What is too deep, as a message; `None` when the text is within the limits.
pub fn too_deep(text: &str) -> Option<String> {
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for line in text.split_inclusive('\n') {
        if quote.is_none() && flow == 0 {
            let depth = block_depth(line);
            if depth > MAX_BLOCK_DEPTH {
                return Some(format!(
                    "nested deeper than {MAX_BLOCK_DEPTH} levels (indentation and `- ` markers of one line: {depth}); configs nest 3 levels"
                ));
            }
        }
        for c in line.chars() {
            match (quote, c) {
                _ if comment => {}
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') if previous.is_whitespace() => comment = true,
                (None, '[' | '{') => {
                    flow += 1;
                    if flow > MAX_FLOW_DEPTH {
                        return Some(format!(
                            "nested deeper than {MAX_FLOW_DEPTH} levels of `[` or `{{`; configs nest 3 levels"
                        ));
                    }
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            previous = c;
        }
        comment = false;
    }
    None
}

/// Indentation columns plus the `- ` sequence markers that open a line.
fn block_depth(line: &str) -> usize {
    let mut depth = 0;
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        depth += rest.len() - trimmed.len();
        match trimmed.strip_prefix('-') {
            Some(after) if after.starts_with([' ', '\t']) => {
                depth += 1;
                rest = after;
            }
            _ => return depth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_pass_and_deep_nesting_is_refused() {
        for file in [
            "paper",
            "ci-encrypted",
            "smoke",
            "plaintext",
            "full-training",
        ] {
            let path = format!("{}/../../configs/{file}.yaml", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).expect("config");
            assert_eq!(too_deep(&text), None, "{file}");
        }
        let brackets = "[".repeat(100_000);
        assert!(too_deep(&brackets).is_some_and(|m| m.contains("`[` or `{`")));
        let dashes = format!("{}x\n", "- ".repeat(100_000));
        assert!(too_deep(&dashes).is_some_and(|m| m.contains("`- ` markers")));
        // Within limits, quoted and commented brackets do not count.
        let fine = format!(
            "a: \"{}\" # {}\nb: [[1]]\n",
            "[".repeat(100),
            "{".repeat(100)
        );
        assert_eq!(too_deep(&fine), None);
    }
}
