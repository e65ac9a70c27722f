// Skeleton: filled in by later issues (see DESIGN.md §2).
export {};
