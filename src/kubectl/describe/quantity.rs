//! Resource quantities with apimachinery's arithmetic and canonical formatting.
//!
//! kubectl never prints a quantity as it was written: it parses it and prints
//! `Quantity.String()`, the canonical form (`0.5` → `500m`, `1024Mi` → `1Gi`). Sums on
//! the node page (`1250m`, `1310Mi`) keep the format of the first non-zero addend, and
//! percentages come from `MilliValue`/`Value`, which round up. This module reproduces
//! those rules on an exact integer count of nano-units, which covers every value Go's
//! `int64Amount` fast path holds (Go rounds parsed values up to nano precision too).

use std::cmp::Ordering;
use std::fmt;

const NANO: i128 = 1_000_000_000;

/// How a quantity was written, which decides how it prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Go's zero `Quantity{}`: no format yet; prints `0` and adopts the format of the
    /// first quantity added to it.
    #[default]
    Unset,
    /// `500m`, `2`, `10k`, `1G`.
    DecimalSi,
    /// `128Mi`, `4Gi`.
    BinarySi,
    /// `1e3`.
    DecimalExponent,
}

/// A resource quantity as an exact number of nano-units plus its format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

impl Quantity {
    /// Go's zero `Quantity{}`, what a missing map entry reads as.
    pub const ZERO: Quantity = Quantity { nanos: 0, format: Format::Unset };

    /// `n` whole units in decimal SI, what `resource.MustParse("n")` gives.
    pub const fn from_units(n: i64) -> Quantity {
        Quantity { nanos: n as i128 * NANO, format: Format::DecimalSi }
    }

    /// Parses the API's quantity syntax: `[+-]digits[.digits][suffix]`, where the suffix
    /// is a binary (`Ki`…`Ei`), decimal (`n u m k M G T P E`) or exponent (`e3`, `E-2`)
    /// one. Values are rounded away from zero to nano precision, as Go does. `None` for
    /// malformed input or values beyond ±10^29.
    pub fn parse(text: &str) -> Option<Quantity> {
        let s = text.trim();
        let (negative, s) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let number_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
        let (number, suffix) = s.split_at(number_end);
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
            return None;
        }
        let (format, scale) = parse_suffix(suffix)?;
        let digits: i128 = format!("{int_part}{frac_part}").parse().ok()?;
        let nanos = scale.apply(digits, frac_part.len() as i32)?;
        Some(Quantity { nanos: if negative { -nanos } else { nanos }, format })
    }

    /// Parses an API `Quantity`, reading malformed text as zero (the apiserver never
    /// serves malformed quantities).
    pub fn of(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> Quantity {
        Quantity::parse(&q.0).unwrap_or(Quantity::ZERO)
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// `Quantity.Add`: the sum keeps this quantity's format unless this one is zero.
    pub fn add(&mut self, other: &Quantity) {
        if self.nanos == 0 {
            self.format = other.format;
        }
        self.nanos += other.nanos;
    }

    /// `MilliValue`: thousandths, rounded away from zero.
    pub fn milli_value(&self) -> i64 {
        div_away_from_zero(self.nanos, 1_000_000) as i64
    }

    /// `Value`: whole units, rounded away from zero.
    pub fn value(&self) -> i64 {
        div_away_from_zero(self.nanos, NANO) as i64
    }

    /// Compares by amount only, like `Quantity.Cmp`.
    pub fn cmp_amount(&self, other: &Quantity) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

/// What a suffix multiplies the written digits by.
#[derive(Clone, Copy)]
enum Scale {
    /// × 1024^n.
    Binary(u32),
    /// × 10^n.
    Decimal(i32),
}

impl Scale {
    /// Nano-units of `digits` × 10^-frac_len × this scale.
    fn apply(self, digits: i128, frac_len: i32) -> Option<i128> {
        let (mantissa, exp10) = match self {
            Scale::Binary(n) => (digits.checked_mul(1024_i128.checked_pow(n)?)?, 0),
            Scale::Decimal(e) => (digits, e),
        };
        let exp = exp10 - frac_len + 9;
        if exp >= 0 {
            mantissa.checked_mul(10_i128.checked_pow(exp as u32)?)
        } else {
            let divisor = 10_i128.checked_pow((-exp) as u32)?;
            Some(div_away_from_zero(mantissa, divisor))
        }
    }
}

fn parse_suffix(suffix: &str) -> Option<(Format, Scale)> {
    let binary = |n| Some((Format::BinarySi, Scale::Binary(n)));
    let decimal = |e| Some((Format::DecimalSi, Scale::Decimal(e)));
    match suffix {
        "" => decimal(0),
        "Ki" => binary(1),
        "Mi" => binary(2),
        "Gi" => binary(3),
        "Ti" => binary(4),
        "Pi" => binary(5),
        "Ei" => binary(6),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        _ => {
            let exp = suffix.strip_prefix(['e', 'E'])?;
            let exp: i32 = exp.parse().ok()?;
            Some((Format::DecimalExponent, Scale::Decimal(exp)))
        }
    }
}

fn div_away_from_zero(n: i128, d: i128) -> i128 {
    let q = n / d;
    if n % d == 0 { q } else { q + n.signum() }
}

impl fmt::Display for Quantity {
    /// `Quantity.String()`: the canonical form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let fits_binary =
            self.format == Format::BinarySi && self.nanos.abs() >= 1024 * NANO && self.nanos % NANO == 0;
        if fits_binary {
            let (amount, exp) = remove_factors(self.nanos / NANO, 1024);
            return write!(f, "{amount}{}", BINARY_SUFFIXES[exp.min(6) as usize]);
        }
        let (amount, exp) = canonical_decimal(self.nanos);
        match (self.format, decimal_suffix(exp)) {
            (Format::DecimalExponent, _) | (_, None) if exp != 0 => write!(f, "{amount}e{exp}"),
            (_, suffix) => write!(f, "{amount}{}", suffix.unwrap_or("")),
        }
    }
}

const BINARY_SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

fn decimal_suffix(exp: i32) -> Option<&'static str> {
    Some(match exp {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => return None,
    })
}

/// Divides out every factor of `base`; returns what is left and how many were removed.
fn remove_factors(mut value: i128, base: i128) -> (i128, u32) {
    let mut times = 0;
    while value != 0 && value % base == 0 {
        value /= base;
        times += 1;
    }
    (value, times)
}

/// Mantissa and a power-of-ten exponent that is a multiple of three, with the fewest
/// trailing zeros: `1500m`, `2`, `10k`.
fn canonical_decimal(nanos: i128) -> (i128, i32) {
    let (amount, times) = remove_factors(nanos, 10);
    let exp = times as i32 - 9;
    match exp.rem_euclid(3) {
        0 => (amount, exp),
        1 => (amount * 10, exp - 1),
        _ => (amount * 100, exp - 2),
    }
}

/// Go's `int64(float64)` on amd64: NaN, infinities and out-of-range values become
/// `i64::MIN` (Rust's `as` would saturate instead).
pub fn go_float_to_i64(f: f64) -> i64 {
    if f.is_finite() && f > i64::MIN as f64 && f < i64::MAX as f64 { f.trunc() as i64 } else { i64::MIN }
}

/// `int64(float64(part) / float64(whole) * 100)`, kubectl's integer percentage.
pub fn percent(part: i64, whole: i64) -> i64 {
    go_float_to_i64(part as f64 / whole as f64 * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s).unwrap().to_string()
    }

    #[test]
    fn canonical_forms() {
        let table = [
            ("0", "0"),
            ("0Mi", "0"),
            ("100m", "100m"),
            ("0.1", "100m"),
            ("0.5", "500m"),
            ("1000m", "1"),
            ("1500m", "1500m"),
            ("4", "4"),
            ("1000", "1k"),
            ("1500", "1500"),
            ("128Mi", "128Mi"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("16374584Ki", "16374584Ki"),
            ("102625208Ki", "102625208Ki"),
            ("1Ki", "1Ki"),
            ("0.5Ki", "512"),
            ("1G", "1G"),
            ("1000M", "1G"),
            ("1e3", "1e3"),
            ("1E6", "1e6"),
            ("-100m", "-100m"),
            ("1n", "1n"),
            ("0.0000000001", "1n"),
            ("110", "110"),
        ];
        for (input, want) in table {
            assert_eq!(canon(input), want, "{input}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "m", "1.2.3", "12Qi", "--1", "1e"] {
            assert!(Quantity::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn sums_keep_the_first_nonzero_format() {
        let mut total = Quantity::ZERO;
        for q in ["128Mi", "128Mi", "512Mi", "256Mi", "256Mi", "30Mi"] {
            total.add(&Quantity::parse(q).unwrap());
        }
        assert_eq!(total.to_string(), "1310Mi");
        let mut cpu = Quantity::parse("100m").unwrap();
        cpu.add(&Quantity::parse("1").unwrap());
        assert_eq!(cpu.to_string(), "1100m");
    }

    #[test]
    fn values_round_up() {
        let q = Quantity::parse("1500m").unwrap();
        assert_eq!(q.value(), 2);
        assert_eq!(q.milli_value(), 1500);
        assert_eq!(Quantity::parse("1n").unwrap().milli_value(), 1);
        assert_eq!(Quantity::parse("4").unwrap().milli_value(), 4000);
    }

    #[test]
    fn percentages_truncate_and_divide_by_zero_like_go() {
        assert_eq!(percent(1250, 4000), 31);
        assert_eq!(percent(0, 4000), 0);
        assert_eq!(percent(100, 0), i64::MIN);
        assert_eq!(percent(0, 0), i64::MIN);
    }
}
