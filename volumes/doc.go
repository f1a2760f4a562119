// Package volumes owns named and anonymous volumes on the host: their
// directories under the data home, their metadata, and their lifetimes.
package volumes
