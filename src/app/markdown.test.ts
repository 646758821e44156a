import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, slug } from './markdown';

describe('the report’s Markdown', () => {
  it('inline: bold, italic, code, images and links, nested', () => {
    expect(parseInline('a **b _c_** `d` ![e](f.svg) [g](h) snake_case_name')).toEqual([
      { kind: 'text', text: 'a ' },
      {
        kind: 'strong',
        children: [
          { kind: 'text', text: 'b ' },
          { kind: 'em', children: [{ kind: 'text', text: 'c' }] },
        ],
      },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'd' },
      { kind: 'text', text: ' ' },
      { kind: 'image', alt: 'e', src: 'f.svg' },
      { kind: 'text', text: ' ' },
      { kind: 'link', href: 'h', children: [{ kind: 'text', text: 'g' }] },
      { kind: 'text', text: ' snake_case_name' },
    ]);
  });

  it('blocks: headings with anchors, paragraphs, nested lists with wrapped lines, tables', () => {
    const blocks = parseMarkdown(
      '# Title\n\nOne\nline.\n\n- a\n  - b\n    wrapped\n- c\n\n| x | y |\n|---|---|\n| 1 | **2** |\n\n## Title\n',
    );
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'table', 'heading']);
    expect(blocks[0]).toMatchObject({ level: 1, id: 'title' });
    expect(blocks[4]).toMatchObject({ level: 2, id: 'title-1' });
    expect(blocks[1]).toEqual({ kind: 'paragraph', text: [{ kind: 'text', text: 'One line.' }] });
    const list = blocks[2] as Extract<(typeof blocks)[number], { kind: 'list' }>;
    expect(list.items).toHaveLength(2);
    expect(list.items[0].children[0].text).toEqual([
      { kind: 'text', text: 'b' },
      { kind: 'text', text: ' ' },
      { kind: 'text', text: 'wrapped' },
    ]);
    const table = blocks[3] as Extract<(typeof blocks)[number], { kind: 'table' }>;
    expect(table.head).toHaveLength(2);
    expect(table.rows[0][1]).toEqual([{ kind: 'strong', children: [{ kind: 'text', text: '2' }] }]);
    expect(slug('Calibration: none was needed, so none was made')).toBe('calibration-none-was-needed-so-none-was-made');
  });

  it('reads docs/RESULTS.md whole: its sections, tables and figures', () => {
    const md = readFileSync(path.resolve(import.meta.dirname, '../../docs/RESULTS.md'), 'utf8');
    const blocks = parseMarkdown(md);
    const headings = blocks.filter((b) => b.kind === 'heading').map((b) => (b.kind === 'heading' ? b.id : ''));
    expect(headings).toContain('what-the-numbers-say');
    expect(headings).toContain('headline');
    expect(blocks.filter((b) => b.kind === 'table').length).toBeGreaterThan(10);
    const images = JSON.stringify(blocks).match(/"kind":"image"/g) ?? [];
    expect(images.length).toBeGreaterThan(10);
    // No table row or list marker left as plain paragraph text.
    for (const b of blocks) if (b.kind === 'paragraph') expect(JSON.stringify(b)).not.toMatch(/"text":"\s*(\||- )/);
  });
});
