/**
 * Python's `eval` of the arithmetic τ²'s `calculate` admits (digits, `+ - * / ( ) .` and spaces):
 * integer and float literals, unary `+`/`-`, `+ - * / // **` with Python's precedence and types (int
 * stays an exact integer until `/` or a float meets it). Errors carry Python's messages.
 */

export class PythonError extends Error {}

type PyNumber = { kind: 'int'; value: bigint } | { kind: 'float'; value: number } | { kind: 'tuple' };

type Token = { type: 'number'; text: string } | { type: 'op'; text: string } | { type: 'end' };

const syntaxError = (message: string): PythonError => new PythonError(`${message} (<string>, line 1)`);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at] as string;
    if (char === ' ') {
      at += 1;
      continue;
    }
    const number = /^(?:\d+\.\d*|\.\d+|\d+)/.exec(source.slice(at));
    if (number) {
      const text = number[0];
      if (/^0\d*$/.test(text) && /[1-9]/.test(text)) {
        throw syntaxError('leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers');
      }
      tokens.push({ type: 'number', text });
      at += text.length;
      continue;
    }
    const pair = source.slice(at, at + 2);
    if (pair === '**' || pair === '//') {
      tokens.push({ type: 'op', text: pair });
      at += 2;
      continue;
    }
    if ('+-*/()'.includes(char)) {
      tokens.push({ type: 'op', text: char });
      at += 1;
      continue;
    }
    throw syntaxError('invalid syntax');
  }
  tokens.push({ type: 'end' });
  return tokens;
}

const asFloat = (number: PyNumber): number => {
  if (number.kind === 'float') return number.value;
  if (number.kind === 'int') {
    const value = Number(number.value);
    if (!Number.isFinite(value)) throw new PythonError('int too large to convert to float');
    return value;
  }
  throw new PythonError("unsupported operand type(s) for arithmetic: 'tuple'");
};

const typeName = (number: PyNumber): string => number.kind;

function binary(op: string, left: PyNumber, right: PyNumber): PyNumber {
  if (left.kind === 'tuple' || right.kind === 'tuple') {
    if (op === '+' && left.kind === 'tuple' && right.kind === 'tuple') return { kind: 'tuple' };
    throw new PythonError(`unsupported operand type(s) for ${op}: '${typeName(left)}' and '${typeName(right)}'`);
  }
  if (left.kind === 'int' && right.kind === 'int') {
    const a = left.value;
    const b = right.value;
    switch (op) {
      case '+':
        return { kind: 'int', value: a + b };
      case '-':
        return { kind: 'int', value: a - b };
      case '*':
        return { kind: 'int', value: a * b };
      case '/':
        if (b === 0n) throw new PythonError('division by zero');
        return { kind: 'float', value: trueDivide(a, b) };
      case '//': {
        if (b === 0n) throw new PythonError('integer division or modulo by zero');
        const quotient = a / b;
        return { kind: 'int', value: a % b !== 0n && a < 0n !== b < 0n ? quotient - 1n : quotient };
      }
      case '**':
        if (b < 0n) {
          if (a === 0n) throw new PythonError('0.0 cannot be raised to a negative power');
          return { kind: 'float', value: asFloat(left) ** Number(b) };
        }
        if (b > 100_000n && a !== 0n && a !== 1n && a !== -1n) throw new PythonError('exponent too large to evaluate here');
        return { kind: 'int', value: a ** b };
    }
  }
  const a = asFloat(left);
  const b = asFloat(right);
  switch (op) {
    case '+':
      return { kind: 'float', value: a + b };
    case '-':
      return { kind: 'float', value: a - b };
    case '*':
      return { kind: 'float', value: a * b };
    case '/':
      if (b === 0) throw new PythonError('float division by zero');
      return { kind: 'float', value: a / b };
    case '//':
      if (b === 0) throw new PythonError('float floor division by zero');
      return { kind: 'float', value: Math.floor(a / b) };
    case '**': {
      if (a === 0 && b < 0) throw new PythonError('0.0 cannot be raised to a negative power');
      if (a < 0 && !Number.isInteger(b)) throw new PythonError("float() argument must be a string or a real number, not 'complex'");
      const value = a ** b;
      if (!Number.isFinite(value)) throw new PythonError("(34, 'Numerical result out of range')");
      return { kind: 'float', value };
    }
  }
  throw syntaxError('invalid syntax');
}

/** Python's int / int: the correctly rounded quotient (exact for operands below 2^53). */
function trueDivide(a: bigint, b: bigint): number {
  const limit = 2n ** 53n;
  const abs = (value: bigint) => (value < 0n ? -value : value);
  if (abs(a) <= limit && abs(b) <= limit) return Number(a) / Number(b);
  const value = Number(a) / Number(b);
  if (!Number.isFinite(value)) throw new PythonError('integer division result too large for a float');
  return value;
}

/** `eval(source)` for the calculator's alphabet; the value `float()` would give, or a PythonError. */
export function evaluateArithmetic(source: string): number {
  const tokens = tokenize(source.replace(/^[ \t]+/, ''));
  let at = 0;
  let open = 0;
  const peek = (): Token => tokens[at] as Token;
  const isOp = (text: string): boolean => {
    const token = peek();
    return token.type === 'op' && token.text === text;
  };

  const expression = (): PyNumber => {
    let value = term();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[at++] as { text: string }).text;
      value = binary(op, value, term());
    }
    return value;
  };
  const term = (): PyNumber => {
    let value = factor();
    while (isOp('*') || isOp('/') || isOp('//')) {
      const op = (tokens[at++] as { text: string }).text;
      value = binary(op, value, factor());
    }
    return value;
  };
  const factor = (): PyNumber => {
    if (isOp('-') || isOp('+')) {
      const op = (tokens[at++] as { text: string }).text;
      const operand = factor();
      if (operand.kind === 'tuple') throw new PythonError(`bad operand type for unary ${op}: 'tuple'`);
      if (op === '+') return operand;
      return operand.kind === 'int' ? { kind: 'int', value: -operand.value } : { kind: 'float', value: -operand.value };
    }
    return power();
  };
  const power = (): PyNumber => {
    const base = primary();
    if (isOp('**')) {
      at += 1;
      return binary('**', base, factor());
    }
    return base;
  };
  const primary = (): PyNumber => {
    const value = atom();
    if (isOp('(')) throw new PythonError(`'${value.kind}' object is not callable`);
    return value;
  };
  const atom = (): PyNumber => {
    const token = peek();
    if (token.type === 'number') {
      at += 1;
      return token.text.includes('.') ? { kind: 'float', value: Number(token.text) } : { kind: 'int', value: BigInt(token.text) };
    }
    if (token.type === 'op' && token.text === '(') {
      at += 1;
      open += 1;
      if (isOp(')')) {
        at += 1;
        open -= 1;
        return { kind: 'tuple' };
      }
      const value = expression();
      if (!isOp(')')) throw peek().type === 'end' ? syntaxError("'(' was never closed") : syntaxError('invalid syntax');
      at += 1;
      open -= 1;
      return value;
    }
    if (token.type === 'op' && token.text === ')') throw syntaxError("unmatched ')'");
    throw syntaxError('invalid syntax');
  };

  const value = expression();
  const rest = peek();
  if (rest.type !== 'end') {
    if (rest.type === 'op' && rest.text === ')' && open === 0) throw syntaxError("unmatched ')'");
    throw syntaxError('invalid syntax');
  }
  if (value.kind === 'tuple') throw new PythonError("float() argument must be a string or a real number, not 'tuple'");
  return asFloat(value);
}
