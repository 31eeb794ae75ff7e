import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/** Keeps a rendering bug in one page from blanking the whole app; `resetKey` clears it (navigation). */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("Page crashed", error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="card" role="alert" aria-labelledby="page-crash-title">
        <h1 id="page-crash-title">This page hit an error</h1>
        <p className="muted">{this.state.error.message}</p>
        <p>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => this.setState({ error: null })}
          >
            Try again
          </button>
        </p>
      </section>
    );
  }
}
