// Severity names and ids, the network-change call table and user-agent families.
#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_map>

#include "trailhound/detect.hpp"

namespace trailhound::detect {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::Informational: return "informational";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "informational";
}

std::optional<Severity> parse_severity(std::string_view text) {
  // Every name is short: longer text is no severity, and the lowered copy stays on the stack.
  std::array<char, 16> lowered{};
  if (text.size() > lowered.size()) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    lowered[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  const std::string_view name(lowered.data(), text.size());
  for (Severity s : {Severity::Informational, Severity::Low, Severity::Medium, Severity::High,
                     Severity::Critical}) {
    if (to_string(s) == name) return s;
  }
  if (name == "info") return Severity::Informational;
  return std::nullopt;
}

int severity_id(Severity s) {
  switch (s) {
    case Severity::Informational: return 1;
    case Severity::Low: return 2;
    case Severity::Medium: return 3;
    case Severity::High: return 4;
    case Severity::Critical: return 5;
  }
  return 0;  // OCSF's Unknown
}

Severity malicious_ip_severity(bool outside_aws, int unexpected) {
  if (outside_aws || unexpected >= 2) return Severity::High;
  if (unexpected == 1) return Severity::Low;
  return Severity::Informational;
}

const std::vector<NetworkKind>& network_kinds() {
  static const std::vector<NetworkKind> kinds = {
      {"security-group",
       {"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
        "DeleteSecurityGroup", "ModifySecurityGroupRules", "UpdateSecurityGroupRuleDescriptionsIngress",
        "UpdateSecurityGroupRuleDescriptionsEgress"}},
      {"network-acl",
       {"CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"}},
      {"route-table",
       {"CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
        "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable", "AssociateRouteTable"}},
      {"vpc",
       {"CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink",
        "EnableVpcClassicLink", "CreateDefaultVpc", "ModifyVpcPeeringConnectionOptions",
        "AssociateVpcCidrBlock", "DisassociateVpcCidrBlock"}},
      {"internet-gateway",
       {"AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway",
        "DetachInternetGateway"}},
      {"egress-only-gateway",
       {"CreateEgressOnlyInternetGateway", "DeleteEgressOnlyInternetGateway"}},
      {"customer-gateway", {"CreateCustomerGateway", "DeleteCustomerGateway"}},
      {"nat-gateway", {"CreateNatGateway", "DeleteNatGateway"}},
      {"vpc-endpoint",
       {"CreateVpcEndpoint", "DeleteVpcEndpoints", "ModifyVpcEndpoint",
        "ModifyVpcEndpointServicePermissions", "CreateVpcEndpointServiceConfiguration",
        "DeleteVpcEndpointServiceConfigurations"}},
      {"network-interface",
       {"CreateNetworkInterface", "DeleteNetworkInterface", "AttachNetworkInterface",
        "DetachNetworkInterface", "ModifyNetworkInterfaceAttribute",
        "CreateNetworkInterfacePermission", "AssignPrivateIpAddresses",
        "UnassignPrivateIpAddresses"}},
      {"elastic-ip",
       {"AllocateAddress", "AssociateAddress", "DisassociateAddress", "ReleaseAddress"}},
      {"subnet",
       {"CreateSubnet", "DeleteSubnet", "ModifySubnetAttribute", "AssociateSubnetCidrBlock",
        "DisassociateSubnetCidrBlock"}},
      {"flow-logs", {"DeleteFlowLogs", "CreateFlowLogs"}},
      {"vpn-gateway",
       {"CreateVpnGateway", "DeleteVpnGateway", "AttachVpnGateway", "DetachVpnGateway",
        "EnableVgwRoutePropagation", "DisableVgwRoutePropagation"}},
      {"vpn-connection",
       {"CreateVpnConnection", "DeleteVpnConnection", "ModifyVpnConnection",
        "ModifyVpnConnectionOptions", "ModifyVpnTunnelOptions", "ModifyVpnTunnelCertificate",
        "ReplaceVpnTunnel", "CreateVpnConnectionRoute", "DeleteVpnConnectionRoute"}},
      {"transit-gateway",
       {"CreateTransitGateway", "DeleteTransitGateway", "ModifyTransitGateway",
        "CreateTransitGatewayVpcAttachment", "DeleteTransitGatewayVpcAttachment",
        "ModifyTransitGatewayVpcAttachment", "AcceptTransitGatewayVpcAttachment",
        "RejectTransitGatewayVpcAttachment", "CreateTransitGatewayPeeringAttachment",
        "AcceptTransitGatewayPeeringAttachment", "RejectTransitGatewayPeeringAttachment",
        "DeleteTransitGatewayPeeringAttachment", "CreateTransitGatewayConnect",
        "DeleteTransitGatewayConnect", "CreateTransitGatewayRoute", "DeleteTransitGatewayRoute",
        "ReplaceTransitGatewayRoute", "CreateTransitGatewayRouteTable",
        "DeleteTransitGatewayRouteTable", "AssociateTransitGatewayRouteTable",
        "DisassociateTransitGatewayRouteTable", "EnableTransitGatewayRouteTablePropagation",
        "DisableTransitGatewayRouteTablePropagation"}},
  };
  return kinds;
}

std::string_view network_kind_of(std::string_view event_name) {
  // Asked for every EC2 call: one hash lookup instead of a walk over every name.
  static const auto index = [] {
    std::unordered_map<std::string_view, std::string_view> m;
    for (const auto& kind : network_kinds()) {
      for (auto name : kind.events) m.emplace(name, kind.name);
    }
    return m;
  }();
  const auto it = index.find(event_name);
  return it == index.end() ? std::string_view{} : it->second;
}

std::string user_agent_family(std::string_view ua) {
  // Console and signed-in browser sessions.
  while (!ua.empty() && (ua.front() == '[' || ua.front() == ' ')) ua.remove_prefix(1);
  auto has = [&](std::string_view needle) { return ua.find(needle) != std::string_view::npos; };
  auto starts = [&](std::string_view p) { return ua.substr(0, p.size()) == p; };
  if (ua.empty()) return "none";
  if (ua == "AWS Internal") return "aws-internal";
  if (starts("console.amazonaws.com") || starts("signin.amazonaws.com") ||
      starts("console.") || starts("Mozilla/")) {
    return "console";
  }
  if (has("Terraform") || has("terraform-provider")) return "terraform";
  if (has("Pulumi")) return "pulumi";
  if (starts("aws-cli/")) return "aws-cli";
  if (starts("AWS-CloudShell") || has("CloudShell")) return "cloudshell";
  if (starts("Boto3/")) return "boto3";
  if (starts("botocore/")) return "botocore";
  if (starts("aws-sdk-go")) return "sdk-go";
  if (starts("aws-sdk-java") || starts("aws-java-sdk")) return "sdk-java";
  if (starts("aws-sdk-js") || starts("aws-sdk-nodejs") || starts("aws-sdk-javascript")) {
    return "sdk-js";
  }
  if (starts("aws-sdk-dotnet") || starts("aws-sdk-net")) return "sdk-dotnet";
  if (starts("aws-sdk-php")) return "sdk-php";
  if (starts("aws-sdk-ruby")) return "sdk-ruby";
  if (starts("aws-sdk-cpp")) return "sdk-cpp";
  if (starts("aws-sdk-rust")) return "sdk-rust";
  if (starts("aws-sdk-")) return "sdk-other";
  if (has(".amazonaws.com")) return "aws-service";
  if (starts("python-requests")) return "python-requests";
  if (starts("curl/")) return "curl";
  // Otherwise the product token before the first '/' or space, lower-cased and bounded.
  std::string family;
  for (char c : ua) {
    if (c == '/' || c == ' ' || family.size() >= 15) break;  // short: no heap
    family += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return family.empty() ? "other" : family;
}

}  // namespace trailhound::detect
