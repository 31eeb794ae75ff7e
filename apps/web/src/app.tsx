import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { sessionQuery, useSignOut } from "./api/auth";
import { bootstrapQuery } from "./api/ui";
import { AppRoutes } from "./app-routes";
import { Toaster } from "./components/toaster";
import { type Command, CommandPalette } from "./layout/command-palette";
import { navigate } from "./lib/router";
import { toggleTheme } from "./lib/theme";
import { pageRoutes } from "./routes";

export function App() {
  const [paletteOpen, setPaletteOpen] = useState(false);
  const commands = useCommands();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setPaletteOpen((open) => !open);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <>
      <AppRoutes onOpenPalette={() => setPaletteOpen(true)} />
      {paletteOpen ? <CommandPalette commands={commands} onClose={() => setPaletteOpen(false)} /> : null}
      <Toaster />
    </>
  );
}

/** Pages are offered only when signed in; before that, jumping would just bounce to sign-in. */
function useCommands(): Command[] {
  const setupDone = useQuery(bootstrapQuery()).data?.setup_required === false;
  const signedIn = Boolean(useQuery({ ...sessionQuery(), enabled: setupDone }).data);
  const { mutate: signOut } = useSignOut();
  return useMemo(() => {
    const theme: Command = {
      id: "theme",
      label: "Toggle theme",
      group: "Preferences",
      keywords: "dark light mode appearance",
      run: toggleTheme,
    };
    if (!signedIn) return [theme];
    const pages = pageRoutes.map<Command>((route) => ({
      id: `page:${route.path}`,
      label: route.label,
      group: "Pages",
      keywords: route.keywords,
      run: () => navigate(route.path),
    }));
    return [
      ...pages,
      ...actionCommands,
      theme,
      { id: "sign-out", label: "Sign out", group: "Account", run: () => signOut() },
    ];
  }, [signedIn, signOut]);
}

/** Common actions: each opens its page with an intent the page acts on (?new=1, ?approve=next). */
const actionCommands: Command[] = [
  {
    id: "action:new-secret",
    label: "New secret",
    group: "Actions",
    keywords: "create add write secret",
    run: () => navigate("/secrets?new=1"),
  },
  {
    id: "action:import-env",
    label: "Import secrets from .env",
    group: "Actions",
    keywords: "bulk dotenv upload",
    run: () => navigate("/secrets?import=1"),
  },
  {
    id: "action:approve-next",
    label: "Approve next pending request",
    group: "Actions",
    keywords: "approval request lease grant review",
    run: () => navigate("/approvals?approve=next"),
  },
];
