// The browser suite's main flow (main-flow.ts) in the window the README's screenshots are taken at.
import { VIEWPORT } from './support/browser';
import { mainFlow } from './main-flow';

mainFlow({ viewport: VIEWPORT, screenshots: true });
