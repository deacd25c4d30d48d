// Builds the panels harness page (panels/index.html) into panels/dist for tests/e2e/test_panels.py; not the app.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'panels',
  base: './',
  build: { outDir: 'dist', emptyOutDir: true },
});
