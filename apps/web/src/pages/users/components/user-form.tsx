import { type FormEvent, useState } from "react";
import type { UserRole } from "../../../api/auth";
import { USER_ROLES, type User } from "../../../api/users";
import { FormActions } from "../../../components/dialog";
import { Field, SelectField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { PolicyPicker } from "../../../components/policy-picker";

export interface UserFormValues {
  username: string;
  display_name: string;
  email: string;
  role: UserRole;
  policies: string[];
  /** Required when creating; empty means "keep" when editing. */
  password: string;
}

const ROLE_LABELS: Record<UserRole, string> = {
  admin: "Admin: manages everything",
  approver: "Approver: approves agent requests",
  viewer: "Viewer: read-only, never sees secret values",
};

interface Props {
  user?: User;
  /** Policies that can be granted ("admin" comes with the admin role, not as a policy). */
  availablePolicies: readonly string[];
  pending: boolean;
  error: unknown;
  onSubmit: (values: UserFormValues) => void;
  onCancel: () => void;
}

export function UserForm({ user, availablePolicies, pending, error, onSubmit, onCancel }: Props) {
  const [role, setRole] = useState<UserRole>(user?.role ?? "viewer");
  const [policies, setPolicies] = useState<string[]>(user?.policies ?? []);
  const [mismatch, setMismatch] = useState(false);
  const editing = user !== undefined;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? "");
    const password = text("password");
    const same = password === text("confirm");
    setMismatch(!same);
    if (!same) return;
    onSubmit({
      username: user?.username ?? text("username").trim(),
      display_name: text("display_name").trim(),
      email: text("email").trim(),
      role,
      policies,
      password,
    });
  };

  return (
    <form className="form" onSubmit={submit}>
      {editing ? null : (
        <Field
          label="Username"
          name="username"
          required
          minLength={2}
          maxLength={64}
          pattern="[a-zA-Z0-9._\-]+"
          autoComplete="off"
          hint="2–64 characters: letters, digits, dot, underscore, dash."
        />
      )}
      <div className="form-row">
        <Field
          label="Display name"
          name="display_name"
          maxLength={128}
          defaultValue={user?.display_name ?? ""}
        />
        <Field label="Email" name="email" type="email" maxLength={254} defaultValue={user?.email ?? ""} />
      </div>
      <SelectField
        label="Role"
        value={role}
        onChange={(e) => setRole(e.target.value as UserRole)}
        options={USER_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
      />
      <PolicyPicker
        legend="Extra policies"
        available={availablePolicies}
        value={policies}
        onChange={setPolicies}
        hint={
          role === "admin"
            ? "Admins hold the built-in admin policy through their role; extra policies add nothing but are kept."
            : "What this user may do on secret paths, besides what the role allows."
        }
      />
      <div className="form-row">
        <Field
          label={editing ? "New password" : "Password"}
          name="password"
          type="password"
          autoComplete="new-password"
          required={!editing}
          minLength={8}
          maxLength={1024}
          hint={
            editing
              ? "Leave empty to keep the current password. Changing it ends the user's sessions."
              : "At least 8 characters."
          }
        />
        <Field
          label={editing ? "Confirm new password" : "Confirm password"}
          name="confirm"
          type="password"
          autoComplete="new-password"
          required={!editing}
          maxLength={1024}
        />
      </div>
      {mismatch ? (
        <FormError error={new Error("The two passwords do not match.")} />
      ) : (
        <FormError error={error} />
      )}
      <FormActions
        submitLabel={editing ? "Save changes" : "Create user"}
        pendingLabel="Saving…"
        pending={pending}
        onCancel={onCancel}
      />
    </form>
  );
}
