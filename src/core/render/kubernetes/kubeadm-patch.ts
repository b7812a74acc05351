// A Cluster API KubeadmControlPlane patch that delivers a rendered AuthenticationConfiguration to the
// control-plane nodes (spec.kubeadmConfigSpec.files) and points kube-apiserver at it
// (--authentication-config, with the folder mounted into the static pod). For GitOps: merge it into
// the KubeadmControlPlane (controlplane.cluster.x-k8s.io/v1beta1, where extraArgs is a map).
import { Document, Scalar } from 'yaml';

/** Where the patch puts the file on the control-plane nodes (and in the apiserver pod). */
export const KUBEADM_AUTHN_CONFIG_DIR = '/etc/kubernetes/fedbroker';
export const KUBEADM_AUTHN_CONFIG_PATH = `${KUBEADM_AUTHN_CONFIG_DIR}/authentication-config.yaml`;

export function renderKubeadmControlPlanePatch(authenticationConfig: string): string {
  const content = new Scalar(authenticationConfig.endsWith('\n') ? authenticationConfig : `${authenticationConfig}\n`);
  content.type = Scalar.BLOCK_LITERAL;
  const doc = new Document({
    spec: {
      kubeadmConfigSpec: {
        files: [{ path: KUBEADM_AUTHN_CONFIG_PATH, owner: 'root:root', permissions: '0600', content }],
        clusterConfiguration: {
          apiServer: {
            extraArgs: { 'authentication-config': KUBEADM_AUTHN_CONFIG_PATH },
            extraVolumes: [{ name: 'fedbroker-authentication-config', hostPath: KUBEADM_AUTHN_CONFIG_DIR, mountPath: KUBEADM_AUTHN_CONFIG_DIR, readOnly: true, pathType: 'DirectoryOrCreate' }],
          },
        },
      },
    },
  });
  return `# KubeadmControlPlane patch (controlplane.cluster.x-k8s.io/v1beta1) rendered by fedbroker: merge into spec.\n${doc.toString({ lineWidth: 0 })}`;
}
