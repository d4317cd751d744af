// Azure Communication Services with an Email Communication Service and one sender domain linked to it.
//
// By default the domain is an Azure-managed domain (<guid>.azurecomm.net, sender DoNotReply@…): it needs no DNS
// and works at once, but it is meant for trying things out. Its sending limits are low — 30 e-mails a minute and
// 100 an hour per subscription (Microsoft's "Email client library overview", API throttling) — and they are raised
// by a support request only for a custom domain. For production pass customEmailDomain and verify the DNS records
// the portal shows (SPF, DKIM, DKIM2, domain ownership).

@description('Communication Services resource name.')
param name string

@description('Email Communication Service resource name.')
param emailServiceName string

@description('Where Communication Services stores data at rest (a geography, e.g. "Europe", "United States").')
param dataLocation string

@description('Tags for the resources.')
param tags object = {}

@description('A custom e-mail domain (e.g. "mail.example.com"); empty = an Azure-managed domain for testing.')
param customEmailDomain string = ''

var useCustomDomain = !empty(customEmailDomain)

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource domain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: useCustomDomain ? customEmailDomain : 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: useCustomDomain ? 'CustomerManaged' : 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: name
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      domain.id
    ]
  }
}

output name string = communication.name
output id string = communication.id
output endpoint string = 'https://${communication.properties.hostName}/'
output senderDomain string = domain.properties.mailFromSenderDomain
