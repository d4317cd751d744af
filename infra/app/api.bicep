// The Flex Consumption plan and the Function app that runs Parley as a custom handler (host.json:
// defaultExecutablePath "dotnet" + Parley.Functions.dll), with its app settings.

@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object = {}

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity (AzureWebJobsStorage__clientId, App Insights authentication).')
param identityClientId string

@description('Blob container URL the deployment package is uploaded to.')
param deploymentContainerUrl string

@description('Blob service endpoint (https) for AzureWebJobsStorage.')
param blobEndpoint string

@description('Queue service endpoint (https) for AzureWebJobsStorage.')
param queueEndpoint string

@description('Table service endpoint (https) for AzureWebJobsStorage.')
param tableEndpoint string

@description('Application Insights connection string (not a secret with local auth disabled).')
param applicationInsightsConnectionString string

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Always-ready instances of the HTTP group (at least 1: the durable engine runs in the process).')
@minValue(1)
param alwaysReadyInstances int = 1

@description('Durable task hub name (3-45 letters and digits, starting with a letter).')
param taskHub string

@description('Communication__Provider: "outbox" or "acs".')
param communicationProvider string

@description('Communication__EmailFrom: default e-mail sender address.')
param emailFrom string

@description('Communication__Endpoint: the Communication Services endpoint, reached with the managed identity (no access key).')
param communicationEndpoint string

var serviceName = 'api'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // The durable engine polls its task hub from inside the process (a custom handler has no durable
        // trigger to wake it), so one instance of the HTTP group always runs (docs/hosting.md).
        alwaysReady: [
          {
            name: 'http'
            instanceCount: alwaysReadyInstances
          }
        ]
      }
      runtime: {
        name: 'dotnet-isolated' // the .NET image; host.json starts `dotnet Parley.Functions.dll` as the custom handler
        version: '10.0'
      }
    }
  }
}

// No FTP and no basic-auth (publishing profile) deployments: azd deploys with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Every name below except the platform's APPLICATIONINSIGHTS_* is a row of the README's settings table
// (tests/Parley.Tests/Infra/BicepTests.cs keeps them in step). No value is a secret.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Storage through the managed identity (shared keys are disabled on the account).
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // Telemetry with Entra ID auth (App Insights has local auth disabled).
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // The origin of every link Parley sends; required under the Functions host.
    App__PublicUrl: 'https://${site.properties.defaultHostName}'
    // The built web front end, packaged as wwwroot/ next to Parley.Functions.dll (relative to the content root,
    // the app folder the host starts the handler in).
    StaticWeb__Root: 'wwwroot'
    // The durable engine runs in the process, on the always-ready instance.
    Durable__Enabled: 'true'
    Durable__TaskHub: taskHub
    // The host triggers queues and timers; these are ignored under the host and off so nothing could poll twice.
    QueuePump__Enabled: 'false'
    Timers__Enabled: 'false'
    Communication__Provider: communicationProvider
    Communication__EmailFrom: emailFrom
    // Communication Services through the managed identity (it holds a role on the resource): no connection string.
    Communication__Endpoint: communicationEndpoint
    Communication__ClientId: identityClientId
  }
}

output name string = site.name
output id string = site.id
output uri string = 'https://${site.properties.defaultHostName}'
