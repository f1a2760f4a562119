// Package builder builds images from Dockerfiles and Containerfiles.
package builder
