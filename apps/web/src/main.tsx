import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { queryClient } from "./api/query-client";
import { App } from "./app";
import { applyTheme } from "./lib/theme";
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/forms.css";
import "./styles/layout.css";
import "./styles/overlays.css";
import "./styles/components.css";
import "./styles/pages.css";
import "./styles/vault.css";
import "./styles/agents.css";

// Set the theme before the first render so a stored choice does not flash the other one.
applyTheme();

const root = document.getElementById("root");
if (!root) throw new Error("index.html is missing #root");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
