/** Our reproduction report as a page: the parsed Markdown rendered as React elements. */
import { Fragment, useEffect, useMemo, type ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline, type ListItem } from '../markdown';

export function Report({ source, figureUrl }: { source: string; figureUrl: (src: string) => string }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  // The lab links to sections (#what-the-numbers-say): scroll there once they exist.
  useEffect(() => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (id) document.getElementById(id)?.scrollIntoView();
  }, []);
  return (
    <main className="report">
      <p className="report-back">
        <a href="./">← Back to the lab</a>
      </p>
      {blocks.map((b, i) => (
        <BlockView key={i} block={b} figureUrl={figureUrl} />
      ))}
    </main>
  );
}

function BlockView({ block, figureUrl }: { block: Block; figureUrl: (src: string) => string }): ReactNode {
  const inl = (x: Inline[]) => <Inlines items={x} figureUrl={figureUrl} />;
  switch (block.kind) {
    case 'heading': {
      const H = `h${Math.min(6, block.level)}` as 'h1';
      return <H id={block.id}>{inl(block.text)}</H>;
    }
    case 'paragraph':
      return <p>{inl(block.text)}</p>;
    case 'code':
      return <pre>{block.text}</pre>;
    case 'list':
      return <List items={block.items} render={inl} />;
    case 'table':
      return (
        <div className="teach-table-box">
          <table>
            <thead>
              <tr>
                {block.head.map((c, i) => (
                  <th scope="col" key={i}>
                    {inl(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((c, j) => (
                    <td key={j}>{inl(c)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
  }
}

function List({ items, render }: { items: ListItem[]; render: (x: Inline[]) => ReactNode }) {
  return (
    <ul>
      {items.map((it, i) => (
        <li key={i}>
          {render(it.text)}
          {it.children.length ? <List items={it.children} render={render} /> : null}
        </li>
      ))}
    </ul>
  );
}

function Inlines({ items, figureUrl }: { items: Inline[]; figureUrl: (src: string) => string }) {
  return (
    <>
      {items.map((x, i) => {
        const inner = (c: Inline[]) => <Inlines items={c} figureUrl={figureUrl} />;
        switch (x.kind) {
          case 'text':
            return <Fragment key={i}>{x.text}</Fragment>;
          case 'strong':
            return <strong key={i}>{inner(x.children)}</strong>;
          case 'em':
            return <em key={i}>{inner(x.children)}</em>;
          case 'code':
            return <code key={i}>{x.text}</code>;
          case 'image':
            return <img key={i} src={figureUrl(x.src)} alt={x.alt} className="report-figure" />;
          case 'link':
            return (
              <a key={i} href={x.href}>
                {inner(x.children)}
              </a>
            );
        }
      })}
    </>
  );
}
