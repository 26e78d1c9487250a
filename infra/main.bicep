// The app's Azure resources: a storage account, a Windows Consumption plan, the function app with a
// system-assigned managed identity, and workspace-based Application Insights.
//
//   az deployment group create --resource-group <group> --template-file infra/main.bicep \
//     --parameters appName=<globally unique name> taskHubName=DurablePatternsProd monitorAllowedHosts=example.com
//
// The host, the Durable Functions extension and the app's own clients (the E2 blob copy, the
// singleton claims table) reach storage with the app's managed identity through
// AzureWebJobsStorage__accountName; no connection string with an account key is given to them.

targetScope = 'resourceGroup'

@description('Name of the function app: globally unique, 3-60 letters, digits and hyphens. It becomes <appName>.azurewebsites.net.')
@minLength(3)
@maxLength(60)
param appName string

@description('Region of every resource. Defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Durable Functions task hub (TASKHUB_NAME): 3-45 letters and digits, starting with a letter. Give each app and environment (and slot) its own, so that they never share queues and history.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'DurablePatternsProd'

@description('MONITOR_ALLOWED_HOSTS: comma-separated host names a Monitor may call. Empty lets a monitor call any http(s) host, including addresses inside Azure; set it in production.')
param monitorAllowedHosts string = ''

@description('Days Log Analytics keeps Application Insights data (30 is included in the price).')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

var names = {
  // Storage account names are global, 3-24 lower-case letters and digits: derived, not chosen.
  storageAccount: 'st${uniqueString(resourceGroup().id, appName)}'
  plan: 'plan-${appName}'
  workspace: 'log-${appName}'
  appInsights: 'appi-${appName}'
  // The Azure Files share that holds the app's content on the Windows Consumption plan. Share names
  // are 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or
  // digit: the app's name, lower-cased, cut to 63, with each run of hyphens made one and none at
  // either end (cut first, so that the cut cannot leave a hyphen at the end).
  contentShare: join(filter(split(toLower(take(appName, 63)), '-'), part => !empty(part)), '-')
}

// Built-in role definitions (the same GUIDs in every tenant).
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: names.storageAccount
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Shared key access stays on for one reason only: the Windows Consumption plan mounts the app's
    // content share (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING) with a key-based connection string,
    // and has no identity-based alternative. Everything else here uses the managed identity; on a
    // plan without a content share (Flex Consumption) set this to false.
    allowSharedKeyAccess: true
    // The portal and CLI then use Entra ID, not the key, for data access.
    defaultToOAuthAuthentication: true
    accessTier: 'Hot'
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: names.workspace
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

// Workspace-based: classic Application Insights resources are retired.
resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: names.appInsights
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

// Consumption (Y1, Dynamic) on Windows: Linux Consumption takes no new apps.
resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: names.plan
  location: location
  kind: 'functionapp'
  sku: {
    name: 'Y1'
    tier: 'Dynamic'
  }
  properties: {
    reserved: false // false: Windows
  }
}

resource functionApp 'Microsoft.Web/sites@2023-12-01' = {
  name: appName
  location: location
  kind: 'functionapp' // Windows; a Linux app would be 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      use32BitWorkerProcess: false
      appSettings: [
        // Host storage through the managed identity (roles below). The host, the Durable
        // extension (host.json names the AzureWebJobsStorage connection) and the app's own clients
        // (src/logic/storageConnection.ts) all read this.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storage.name
        }
        // The system-assigned identity and nothing else (no developer or environment credentials).
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        // The Windows Consumption plan's content share still needs a connection string with the
        // account key (see allowSharedKeyAccess above). Only the platform reads it.
        {
          name: 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING'
          value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};EndpointSuffix=${environment().suffixes.storage};AccountKey=${storage.listKeys().keys[0].value}'
        }
        {
          name: 'WEBSITE_CONTENTSHARE'
          value: names.contentShare
        }
        {
          name: 'FUNCTIONS_EXTENSION_VERSION'
          value: '~4'
        }
        {
          name: 'FUNCTIONS_WORKER_RUNTIME'
          value: 'node'
        }
        // Node 22 on Windows is chosen by this setting (on Linux it would be linuxFxVersion).
        {
          name: 'WEBSITE_NODE_DEFAULT_VERSION'
          value: '~22'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        // host.json: "hubName": "%TASKHUB_NAME%"; also names the singleton claims table.
        {
          name: 'TASKHUB_NAME'
          value: taskHubName
        }
        {
          name: 'MONITOR_ALLOWED_HOSTS'
          value: monitorAllowedHosts
        }
      ]
    }
  }
}

// What identity-based AzureWebJobsStorage needs, on this account only.

// Storage Blob Data Owner: the host's own containers (its lock and the function keys), the Durable
// task hub's lease and large-message containers, and the E2 `backups` container the app creates.
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionApp.id, roleIds.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Queue Data Contributor: the Durable task hub's control and work-item queues.
resource queueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionApp.id, roleIds.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageQueueDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor: the Durable History, Instances and Partitions tables, and the
// app's <taskHubName>SingletonClaims table (created on first use).
resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionApp.id, roleIds.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Name of the function app, for func azure functionapp publish.')
output functionAppName string = functionApp.name

@description('Default host name: https://<this>/api/...')
output defaultHostName string = functionApp.properties.defaultHostName

@description('Object id of the app\'s system-assigned managed identity, for further role assignments.')
output principalId string = functionApp.identity.principalId

@description('Name of the storage account (AzureWebJobsStorage__accountName).')
output storageAccountName string = storage.name
