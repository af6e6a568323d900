// The browser suite's main flow (main-flow.ts) in the smallest window the app supports: every step a
// user takes at 1280×800 works at 800×600 too (a click on something covered fails the step).
import { mainFlow } from './main-flow';

mainFlow({ viewport: { width: 800, height: 600 }, screenshots: false });
