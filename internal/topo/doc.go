// Package topo sorts the nodes of a directed graph topologically: the one
// ordering algorithm that the plugin manager (dependencies) and the
// auto-configurations (Before and After) share.
//
// Nodes are the ints 0..N-1, and their numbering is the tie-break: whenever
// several nodes are free to come next, the smallest comes first, so a caller
// numbers its nodes in the order it wants ties to follow (plugins in the
// order they were added, auto-configurations by name). A [Graph] gives each
// edge from both ends, through functions over the caller's own adjacency, so
// that nothing is copied: the nodes that must come after a node (its
// dependents) drive the sort, and the nodes that must come before it (its
// prerequisites), in the caller's order, decide which cycle is named when
// there is one.
//
// The sort is Kahn's algorithm with a binary min-heap of ready nodes:
// O((V+E) log V) time, O(V) memory besides the caller's graph, no recursion,
// so a chain of any length sorts without growing the stack.
package topo
