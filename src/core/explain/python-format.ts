// The two pieces of Python behaviour Keystone's mapping engine leaks into its results:
// str.format() for "{0}" placeholders and repr() of a list of strings (what a placeholder becomes
// when the remote value has several elements, e.g. "['a', 'b']"). Only the subset the engine meets.

export class PythonFormatError extends Error {
  /** index: IndexError (Keystone: DirectMappingError); syntax: ValueError; unsupported: a feature not modelled here. */
  constructor(readonly kind: 'index' | 'syntax' | 'unsupported', message: string) {
    super(message);
    this.name = 'PythonFormatError';
  }
}

/** `template.format(*args)` for templates with {}, {N}, {{ and }}; args are strings or lists of strings. */
export function pythonFormat(template: string, args: readonly (string | readonly string[])[]): string {
  let out = '';
  let auto: number | undefined;
  let manual = false;
  for (let i = 0; i < template.length; i += 1) {
    const c = template[i];
    if (c === '}') {
      if (template[i + 1] !== '}') throw new PythonFormatError('syntax', 'Single \'}\' encountered in format string');
      out += '}';
      i += 1;
      continue;
    }
    if (c !== '{') {
      out += c;
      continue;
    }
    if (template[i + 1] === '{') {
      out += '{';
      i += 1;
      continue;
    }
    const end = template.indexOf('}', i + 1);
    if (end < 0) throw new PythonFormatError('syntax', 'Single \'{\' encountered in format string');
    const field = template.slice(i + 1, end);
    let index: number;
    if (field === '') {
      if (manual) throw new PythonFormatError('syntax', 'cannot switch from manual field specification to automatic field numbering');
      auto = (auto ?? -1) + 1;
      index = auto;
    } else if (/^[0-9]+$/.test(field)) {
      if (auto !== undefined) throw new PythonFormatError('syntax', 'cannot switch from automatic field numbering to manual field specification');
      manual = true;
      index = Number(field);
    } else {
      throw new PythonFormatError('unsupported', `format field "{${field}}" is not modelled`);
    }
    const value = args[index];
    if (value === undefined) throw new PythonFormatError('index', `Replacement index ${index} out of range`);
    out += typeof value === 'string' ? value : pythonListRepr(value);
    i = end;
  }
  return out;
}

export function pythonListRepr(values: readonly string[]): string {
  return `[${values.map(pythonStrRepr).join(', ')}]`;
}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** repr() of a Python str. */
export function pythonStrRepr(text: string): string {
  const quote = text.includes('\'') && !text.includes('"') ? '"' : '\'';
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) out += hexEscape(code);
    else out += ch;
  }
  return out + quote;
}

function hexEscape(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}
