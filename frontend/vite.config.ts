import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// dist/.gitkeep is tracked so that main.go can embed the directory before the
// first build; put it back after Vite empties dist.
function keepGitkeep(): Plugin {
  return {
    name: 'countersign:keep-gitkeep',
    apply: 'build',
    closeBundle() {
      writeFileSync(resolve(__dirname, 'dist/.gitkeep'), '');
    },
  };
}

// The app runs offline inside a Wails webview: everything is bundled, nothing
// is fetched from the network at run time.
export default defineConfig({
  plugins: [react(), keepGitkeep()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
  server: { port: 5173, strictPort: false },
});
