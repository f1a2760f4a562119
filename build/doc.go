// Package build builds images from Dockerfiles and Containerfiles.
package build
