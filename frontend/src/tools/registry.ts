// The tool registry: one definition per tool, looked up by name, key or label kind; duplicates are errors.
import type { LabelKind } from '../api/types';
import type { ToolDefinition } from './types';

export class ToolRegistry {
  private readonly byName = new Map<string, ToolDefinition>();

  register(definition: ToolDefinition): this {
    if (this.byName.has(definition.name)) throw new Error(`a tool named ${definition.name} is already registered`);
    const clash = this.byKey(definition.key);
    if (clash) throw new Error(`key ${definition.key} already belongs to ${clash.name}`);
    this.byName.set(definition.name, definition);
    return this;
  }

  get(name: string): ToolDefinition | undefined {
    return this.byName.get(name);
  }

  byKey(key: string): ToolDefinition | undefined {
    const k = key.toLowerCase();
    return this.all().find((d) => d.key === k);
  }

  /** The tools that draw a label of this kind (the toolbar offers these for the current label). */
  forKind(kind: LabelKind): ToolDefinition[] {
    return this.all().filter((d) => d.kinds?.includes(kind));
  }

  all(): ToolDefinition[] {
    return [...this.byName.values()];
  }
}
