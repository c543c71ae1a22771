//! Canonical form of an evaluation's inputs; `inputs_sha256` is the hex SHA-256 of these bytes.
//!
//! The form is built from the *parsed* inputs with every default applied, so it does not depend on
//! JSON key order, on whether a default was written out, on how a decimal was spelled (`"1.50"`,
//! `1.5`, `"15e-1"`), or on the offset a time was written in. It covers the currency, the scheme, the
//! measures actually used (by a commitment or a criterion) and the bids, sorted by id (the result
//! does not depend on bid order, so neither does the hash).
//!
//! It is a compact binary encoding (hashing ~1,000 bids as JSON took longer than scoring them).
//! Version 1, after the header `socval-inputs/1\n`, in this order:
//! - integers and lengths: unsigned LEB128; strings: length, then UTF-8 bytes; `Option`: `0`, or `1`
//!   then the value; lists: count, then items;
//! - decimals: normalised, then one byte `scale | 0x80 if negative`, then the mantissa (LEB128);
//! - times: seconds since the Unix epoch (zig-zag LEB128), then nanoseconds;
//! - currency; scheme (method, authority type, criteria in order with their resolved rules, tie-break
//!   steps, `alt_threshold`, `sv_outlier_percent`, exemption); measures used, sorted by code, each
//!   with its outcomes sorted; bids sorted by id, each with marks as (criterion index, mark) in
//!   criterion order and commitments as (measure index in the list above, quantity) in bid order;
//!   then the pinned framework and any evaluators' marks.

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::model::{
    AuthorityType, Criterion, CriterionType, Method, QuantitativeBasis, SocialValueMethod,
    TieBreakStep,
};
use super::plan::{Ctx, Plan, PreparedBid, PriceRule};

const HEADER: &[u8] = b"socval-inputs/1\n";

struct Enc {
    buf: Vec<u8>,
}

impl Enc {
    fn uint(&mut self, v: u128) {
        match u64::try_from(v) {
            Ok(small) => self.uint64(small),
            Err(_) => {
                let mut v = v;
                while v >= 0x80 {
                    self.buf.push((v & 0x7f) as u8 | 0x80);
                    v >>= 7;
                }
                self.buf.push(v as u8);
            }
        }
    }

    #[inline]
    fn uint64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    fn len(&mut self, n: usize) {
        self.uint(n as u128);
    }

    fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    fn bool(&mut self, b: bool) {
        self.buf.push(u8::from(b));
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.byte(0),
            Some(s) => {
                self.byte(1);
                self.str(s);
            }
        }
    }

    /// Normalised (trailing zeros stripped) without building a new `Decimal`.
    fn dec(&mut self, d: Decimal) {
        let mut mantissa = d.mantissa().unsigned_abs();
        if mantissa == 0 {
            self.byte(0);
            self.byte(0);
            return;
        }
        let mut scale = d.scale();
        while scale > 0 {
            match u64::try_from(mantissa) {
                Ok(small) if small.is_multiple_of(10) => mantissa = u128::from(small / 10),
                Ok(_) => break,
                Err(_) if mantissa.is_multiple_of(10) => mantissa /= 10,
                Err(_) => break,
            }
            scale -= 1;
        }
        let scale = u8::try_from(scale).unwrap_or(u8::MAX);
        self.byte(scale | if d.is_sign_negative() { 0x80 } else { 0 });
        self.uint(mantissa);
    }

    fn opt_dec(&mut self, d: Option<Decimal>) {
        match d {
            None => self.byte(0),
            Some(d) => {
                self.byte(1);
                self.dec(d);
            }
        }
    }
}

fn method_byte(m: Method) -> u8 {
    match m {
        Method::WeightedSum => 0,
        Method::PricePerQualityPoint => 1,
    }
}

fn authority_byte(a: AuthorityType) -> u8 {
    match a {
        AuthorityType::CentralGovernment => 0,
        AuthorityType::LocalAuthority => 1,
        AuthorityType::Other => 2,
    }
}

fn step_byte(s: TieBreakStep) -> u8 {
    match s {
        TieBreakStep::SocialValue => 0,
        TieBreakStep::Quality => 1,
        TieBreakStep::Price => 2,
        TieBreakStep::SubmittedAt => 3,
    }
}

/// The canonical bytes of a valid request (see the module documentation).
pub(crate) fn encode(ctx: &Ctx<'_>, plan: &Plan<'_>, bids: &[PreparedBid<'_>]) -> Vec<u8> {
    let scheme = ctx.scheme;
    let commitments: usize = bids.iter().map(|b| b.commitments.len()).sum();
    let mut e = Enc {
        buf: Vec::with_capacity(256 + bids.len() * 48 + commitments * 6),
    };
    e.buf.extend_from_slice(HEADER);
    e.str(ctx.currency);

    // Measures actually used, sorted by code; `remap[i]` is measure i's position in that list.
    let mut used = vec![false; ctx.measures.len()];
    for b in bids {
        for mv in &b.commitments {
            if let Some(u) = used.get_mut(mv.index as usize) {
                *u = true;
            }
        }
    }
    for c in &plan.criteria {
        for &m in c.quant.iter().flat_map(|q| q.measures.iter()) {
            if let Some(u) = used.get_mut(m as usize) {
                *u = true;
            }
        }
    }
    let mut order: Vec<usize> = (0..ctx.measures.len())
        .filter(|&i| used.get(i) == Some(&true))
        .collect();
    order.sort_by(|&a, &b| {
        let code = |i: usize| ctx.measures.get(i).map(|m| m.code.as_bytes());
        code(a).cmp(&code(b))
    });
    let mut remap = vec![0u32; ctx.measures.len()];
    for (pos, &i) in order.iter().enumerate() {
        if let Some(slot) = remap.get_mut(i) {
            *slot = u32::try_from(pos).unwrap_or(u32::MAX);
        }
    }

    // Scheme.
    e.byte(method_byte(scheme.method));
    e.byte(authority_byte(scheme.authority_type));
    e.len(plan.criteria.len());
    for (c, pc) in scheme.criteria.iter().zip(&plan.criteria) {
        criterion(&mut e, c, pc, &remap);
    }
    e.len(plan.tie_break.len());
    for s in &plan.tie_break {
        e.byte(step_byte(*s));
    }
    e.dec(scheme.alt_threshold);
    e.dec(scheme.sv_outlier_percent);
    match &scheme.social_value_exemption {
        None => e.byte(0),
        Some(ex) => {
            e.byte(1);
            e.str(&ex.reason);
            e.str(&ex.approved_by);
        }
    }

    // Measures used.
    e.len(order.len());
    for m in order.iter().filter_map(|&i| ctx.measures.get(i)) {
        e.str(m.code);
        e.str(m.name);
        e.opt_str(m.unit);
        e.dec(m.proxy_value);
        e.dec(m.deadweight);
        e.dec(m.attribution);
        e.dec(m.displacement);
        let mut outcomes: Vec<&str> = m.outcomes.iter().collect();
        outcomes.sort_unstable();
        e.len(outcomes.len());
        for o in outcomes {
            e.str(o);
        }
    }

    // Bids, by id.
    let raw = ctx.bids.unwrap_or_default();
    let mut by_id: Vec<usize> = (0..raw.len().min(bids.len())).collect();
    by_id.sort_by(|&a, &b| {
        let id = |i: usize| raw.get(i).map(|b| b.id.as_bytes());
        id(a).cmp(&id(b))
    });
    e.len(by_id.len());
    for i in by_id {
        let (Some(bid), Some(pb)) = (raw.get(i), bids.get(i)) else {
            continue;
        };
        e.str(&bid.id);
        match &bid.supplier {
            None => e.byte(0),
            Some(s) => {
                e.byte(1);
                e.str(&s.name);
                e.opt_str(s.id.as_deref());
            }
        }
        e.dec(bid.price);
        e.opt_str(bid.currency.as_deref());
        let t = bid.submitted_at;
        let secs = t.timestamp();
        e.uint64(((secs << 1) ^ (secs >> 63)) as u64);
        e.uint(u128::from(t.timestamp_subsec_nanos()));
        e.len(pb.marks.iter().filter(|m| m.is_some()).count());
        for (ci, mark) in pb.marks.iter().enumerate() {
            if let Some(mark) = mark {
                e.len(ci);
                e.dec(*mark);
            }
        }
        e.len(pb.commitments.len());
        for mv in &pb.commitments {
            let (m, quantity) = (mv.index, mv.quantity);
            e.uint(u128::from(
                remap.get(m as usize).copied().unwrap_or(u32::MAX),
            ));
            e.dec(quantity);
        }
    }

    e.opt_str(ctx.framework);
    let mut marks: Vec<_> = ctx.evaluator_marks.iter().collect();
    marks.sort_by(|a, b| (&a.bid_id, &a.criterion_id).cmp(&(&b.bid_id, &b.criterion_id)));
    e.len(marks.len());
    for m in marks {
        e.str(&m.bid_id);
        e.str(&m.criterion_id);
        let mut values = m.marks.clone();
        values.sort_unstable();
        e.len(values.len());
        for v in values {
            e.dec(v);
        }
    }
    e.buf
}

fn criterion(e: &mut Enc, c: &Criterion, pc: &super::plan::PlanCriterion<'_>, remap: &[u32]) {
    e.str(&c.id);
    e.opt_str(c.name.as_deref());
    e.byte(match c.kind {
        CriterionType::Price => 0,
        CriterionType::Quality => 1,
        CriterionType::SocialValue => 2,
    });
    e.dec(c.weight);
    match &pc.price {
        None => e.byte(0),
        Some(PriceRule::Lowest) => e.byte(1),
        Some(PriceRule::Linear) => e.byte(2),
        Some(PriceRule::Banded(bands)) => {
            e.byte(3);
            e.len(bands.len());
            for (edge, fraction) in bands {
                e.opt_dec(*edge);
                e.dec(*fraction);
            }
        }
    }
    match &pc.mark {
        None => e.byte(0),
        Some(rule) => {
            e.byte(1);
            e.dec(rule.min);
            e.dec(rule.max);
            match c.scale.as_ref().and_then(|s| s.levels.as_ref()) {
                None => e.byte(0),
                Some(levels) => {
                    let mut levels = levels.clone();
                    levels.sort_unstable();
                    levels.dedup();
                    e.byte(1);
                    e.len(levels.len());
                    for l in levels {
                        e.dec(l);
                    }
                }
            }
            e.opt_dec(rule.pass_mark);
            e.bool(rule.knockout);
        }
    }
    e.opt_str(c.outcome.as_deref());
    e.byte(match c.method {
        None => 0,
        Some(SocialValueMethod::Qualitative) => 1,
        Some(SocialValueMethod::Quantitative) => 2,
        Some(SocialValueMethod::Mixed) => 3,
    });
    match &pc.quant {
        None => e.byte(0),
        Some(q) => {
            e.byte(1);
            match q.basis {
                QuantitativeBasis::RelativeToHighest => e.byte(0),
                QuantitativeBasis::PercentOfPriceTarget => {
                    e.byte(1);
                    e.dec(q.target);
                }
            }
            let mut measures: Vec<u32> = q
                .measures
                .iter()
                .map(|&m| remap.get(m as usize).copied().unwrap_or(u32::MAX))
                .collect();
            measures.sort_unstable();
            e.len(measures.len());
            for m in measures {
                e.uint(u128::from(m));
            }
        }
    }
    match pc.split {
        None => e.byte(0),
        Some((q, n)) => {
            e.byte(1);
            e.dec(q);
            e.dec(n);
        }
    }
}

/// Hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
