/** The paper's reported points live with the experiment code, shared by the lab and the results report. */
export { PAPER_POINTS, type PaperPoint } from '../experiment/paper';
