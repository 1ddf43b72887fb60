//! The spread of a figure over repeated rounds: on a shared machine one round proves nothing,
//! so the benches report the least and the most of several.

/// The values a figure took over the rounds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Spread(Vec<f64>);

impl Spread {
    pub(crate) fn push(&mut self, value: f64) {
        self.0.push(value);
    }

    pub(crate) fn min(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }

    pub(crate) fn max(&self) -> f64 {
        self.0.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    pub(crate) fn median(&self) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
    }

    /// `min–max (median m)`, each value divided by `scale` and written with `digits` decimals.
    pub(crate) fn show(&self, scale: f64, digits: usize) -> String {
        format!(
            "{:.digits$}–{:.digits$} (median {:.digits$})",
            self.min() / scale,
            self.max() / scale,
            self.median() / scale
        )
    }
}
