// Parley on Azure: `azd up` provisions this, then deploys the package (azure.yaml, service "api").
// Local modules only (no registry references), so `bicep build` works offline; shapes follow the Azure Verified
// Modules and the functions-quickstart-dotnet-azd template. See infra/README.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group (rg-<name>) and seeds the resource token.')
param environmentName string

@minLength(1)
@description('Azure region for all resources (one where Flex Consumption is available).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Optional principal (object) id of the developer running azd; gets the storage data roles for debugging. Empty = none.')
param principalId string = ''

@description('Most instances the Function app scales out to (Flex Consumption allows up to 1000).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Durable task hub name (Durable__TaskHub): 3-45 letters and digits, starting with a letter.')
@minLength(3)
@maxLength(45)
param durableTaskHub string = 'parley'

@description('Communication__Provider: "outbox" stores messages for the developer outbox; "acs" sends through Communication Services and needs the settings listed in infra/README.md.')
@allowed([
  'outbox'
  'acs'
])
param communicationProvider string = 'outbox'

@description('Where Communication Services stores data at rest (a geography such as "Europe" or "United States").')
param communicationDataLocation string = 'Europe'

@description('A custom e-mail sender domain (e.g. "mail.example.com", DNS verified after deployment). Empty = an Azure-managed domain, limited to testing volumes.')
param customEmailDomain string = ''

@description('Local part of the default sender address (Communication__EmailFrom); the Azure-managed domain provides "DoNotReply".')
param emailSenderUsername string = 'DoNotReply'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'core/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'core/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'core/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module communication 'core/communication.bicep' = {
  name: 'communication'
  scope: rg
  params: {
    name: 'acs-${resourceToken}'
    emailServiceName: 'ecs-${resourceToken}'
    dataLocation: communicationDataLocation
    customEmailDomain: customEmailDomain
    tags: tags
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    communicationServiceName: communication.outputs.name
    identityPrincipalId: identity.outputs.principalId
    developerPrincipalId: principalId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    taskHub: durableTaskHub
    communicationProvider: communicationProvider
    emailFrom: '${emailSenderUsername}@${communication.outputs.senderDomain}'
    communicationEndpoint: communication.outputs.endpoint
  }
  // The app starts polling storage as soon as it runs: its roles must exist first.
  dependsOn: [
    rbac
  ]
}

// Outputs for azd (UPPER_SNAKE, stored in .azure/<env>/.env). None is a secret.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output RESOURCE_GROUP string = rg.name
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_COMMUNICATION_SERVICES_NAME string = communication.outputs.name
output AZURE_COMMUNICATION_SERVICES_ENDPOINT string = communication.outputs.endpoint
output AZURE_EMAIL_SENDER string = '${emailSenderUsername}@${communication.outputs.senderDomain}'
