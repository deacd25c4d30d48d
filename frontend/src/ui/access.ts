// The signed-in user and their role in one project, from /auth/me/ and the project's member list.
import { isAbortError } from '../api/client';
import type { Member, Role, User } from '../api/types';
import { roleFromMembers } from '../core/workflow';

export interface Access {
  me: User;
  role: Role;
}

/** The calls loadAccess makes; ApiClient satisfies it. */
export interface AccessApi {
  me(signal?: AbortSignal): Promise<User>;
  members(projectId: number, signal?: AbortSignal): Promise<Member[]>;
}

/** The caller's access, or null when it cannot be found out (the server still enforces every rule). */
export async function loadAccess(api: AccessApi, projectId: number, signal?: AbortSignal): Promise<Access | null> {
  try {
    const [me, members] = await Promise.all([api.me(signal), api.members(projectId, signal)]);
    return { me, role: roleFromMembers(members, me.id) };
  } catch (err) {
    if (isAbortError(err)) throw err;
    return null;
  }
}
