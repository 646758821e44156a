/**
 * The small part of Markdown that our reproduction report (docs/RESULTS.md, written by
 * `npm run report`) uses, parsed into blocks and inline runs that the report page renders as
 * React elements (never as HTML strings). Pure.
 */

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'em'; children: Inline[] }
  | { kind: 'code'; text: string }
  | { kind: 'image'; alt: string; src: string }
  | { kind: 'link'; href: string; children: Inline[] };

export interface ListItem {
  text: Inline[];
  children: ListItem[];
}

export type Block =
  | { kind: 'heading'; level: number; id: string; text: Inline[] }
  | { kind: 'paragraph'; text: Inline[] }
  | { kind: 'list'; items: ListItem[] }
  | { kind: 'table'; head: Inline[][]; rows: Inline[][][] }
  | { kind: 'code'; text: string };

/** A heading's anchor: lower case, letters and digits joined by dashes ("What the numbers say" → "what-the-numbers-say"). */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

const INLINE =
  /(\*\*(.+?)\*\*)|(`([^`]+)`)|(!\[([^\]]*)\]\(([^)\s]+)\))|(\[([^\]]+)\]\(([^)\s]+)\))|((?<![\p{L}\p{N}])_(.+?)_(?![\p{L}\p{N}]))/u;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push({ kind: 'text', text: rest });
      break;
    }
    if (m.index > 0) out.push({ kind: 'text', text: rest.slice(0, m.index) });
    if (m[1]) out.push({ kind: 'strong', children: parseInline(m[2]) });
    else if (m[3]) out.push({ kind: 'code', text: m[4] });
    else if (m[5]) out.push({ kind: 'image', alt: m[6], src: m[7] });
    else if (m[8]) out.push({ kind: 'link', href: m[10], children: parseInline(m[9]) });
    else out.push({ kind: 'em', children: parseInline(m[12]) });
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => parseInline(c.trim()));

const plain = (inl: Inline[]): string =>
  inl
    .map((i) => ('text' in i ? i.text : 'children' in i ? plain(i.children) : i.kind === 'image' ? i.alt : ''))
    .join('');

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const blocks: Block[] = [];
  const ids = new Map<string, number>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const text = parseInline(heading[2].trim());
      const base = slug(plain(text));
      const n = ids.get(base) ?? 0;
      ids.set(base, n + 1);
      blocks.push({ kind: 'heading', level: heading[1].length, id: n ? `${base}-${n}` : base, text });
      i++;
      continue;
    }
    if (line.startsWith('```')) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      i++;
      blocks.push({ kind: 'code', text: body.join('\n') });
      continue;
    }
    if (line.trimStart().startsWith('|') && /^\s*\|?[\s:|-]+\|?\s*$/.test(lines[i + 1] ?? '')) {
      const head = cells(line);
      const rows: Inline[][][] = [];
      for (i += 2; i < lines.length && lines[i].trimStart().startsWith('|'); i++) rows.push(cells(lines[i]));
      blocks.push({ kind: 'table', head, rows });
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const root: ListItem[] = [];
      const stack: { indent: number; items: ListItem[] }[] = [{ indent: -1, items: root }];
      for (; i < lines.length; i++) {
        const m = /^(\s*)[-*]\s+(.*)$/.exec(lines[i]);
        if (m) {
          const indent = m[1].length;
          while (stack.length > 1 && indent <= stack[stack.length - 1].indent) stack.pop();
          const item: ListItem = { text: parseInline(m[2]), children: [] };
          const parent = stack[stack.length - 1];
          parent.items.push(item);
          stack.push({ indent, items: item.children });
        } else if (lines[i].trim() && /^\s+/.test(lines[i])) {
          // A wrapped line continues the item above it.
          const last = stack[stack.length - 1];
          const owner = stack[stack.length - 2]?.items.at(-1) ?? last.items.at(-1);
          owner?.text.push({ kind: 'text', text: ' ' }, ...parseInline(lines[i].trim()));
        } else break;
      }
      blocks.push({ kind: 'list', items: root });
      continue;
    }
    const para: string[] = [];
    for (; i < lines.length && lines[i].trim() && !/^(#{1,6}\s|```|\s*[-*]\s+|\s*\|)/.test(lines[i]); i++)
      para.push(lines[i].trim());
    if (!para.length) {
      para.push(lines[i].trim());
      i++;
    }
    blocks.push({ kind: 'paragraph', text: parseInline(para.join(' ')) });
  }
  return blocks;
}
