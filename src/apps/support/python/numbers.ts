/**
 * Python's float semantics where τ² relies on them: `repr` (what `str()` and `json.dumps` print) and
 * `round(x, n)` (correctly rounded on the exact binary value, ties to even), which `Math.round`
 * and `toFixed` do not reproduce.
 */

/** `repr(x)` of a Python float: shortest round-trip digits, `.0` on integers, exponent from 1e16. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fraction = digits.slice(exponent + 1);
    return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponentSign = exponent < 0 ? '-' : '+';
  return `${sign}${head}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** Python's `round(x, digits)` for a float. */
export function pyRound(value: number, digits: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  if (Math.abs(value) >= 1e21) return value;
  // An exact tie at `digits` decimals is x = j / 2^(digits+1) with j odd; toFixed breaks ties away from zero, Python to even.
  const twice = value * 2 ** (digits + 1);
  if (Number.isInteger(twice) && Math.abs(twice % 2) === 1) {
    const scaled = value * 10 ** digits; // exact: a tie has few significant bits
    const low = Math.floor(scaled);
    const even = low % 2 === 0 ? low : low + 1;
    return Number(`${even}e-${digits}`);
  }
  return Number(value.toFixed(digits));
}
