// Vite build (served by Django at /static/app/) and Vitest configuration.
/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// During `npm run dev`, API and account requests go to a local Django runserver.
const django = 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/static/app/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': django,
      '/accounts': django,
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
