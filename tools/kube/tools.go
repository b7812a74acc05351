//go:build tools

// Package tools pins the upstream main package this module builds; it is never compiled.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
