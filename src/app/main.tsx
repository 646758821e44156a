/** Entry of the lab page. The page renders and coordinates; every run trains in its own Worker. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app';
import { initLab } from './lab';
import './styles.css';
import './teaching.css';
import './data-export.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void initLab();
