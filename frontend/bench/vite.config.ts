// Builds the benchmark harness page (bench/index.html) into bench/dist; not part of the app build.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'bench',
  base: './',
  build: { outDir: 'dist', emptyOutDir: true },
});
