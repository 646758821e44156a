/**
 * Entry of report.html: our reproduction report (docs/RESULTS.md, written by `npm run report`)
 * served with the lab, its figures bundled beside it, so that the lab can link to it.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import results from '../../docs/RESULTS.md?raw';
import { Report } from './components/report';
import './teaching.css';

const figures = import.meta.glob<string>('../../docs/figures/*.svg', { eager: true, query: '?url', import: 'default' });
const figureUrl = (src: string) => figures[`../../docs/${src.replace(/^\.\//, '')}`] ?? src;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Report source={results} figureUrl={figureUrl} />
  </StrictMode>,
);
