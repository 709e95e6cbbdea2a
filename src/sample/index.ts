export * from './sample-layout';
export * from './create-sample-schema';
export * from './create-sample-databases';
