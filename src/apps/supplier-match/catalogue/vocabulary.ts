/**
 * What the synthetic catalogue is made of: product categories with their products (English and Chinese
 * names, a typical unit price in US cents, MOQ and lead-time ranges), the certifications each category's
 * buyers ask for, the manufacturing cities of China that specialise in them, and the export markets.
 */
export interface ProductKind {
  en: string;
  zh: string;
  /** A typical factory unit price at the first tier, in US cents. */
  priceCents: number;
}

export interface Category {
  id: string;
  en: string;
  zh: string;
  products: readonly ProductKind[];
  certifications: readonly string[];
  cities: readonly string[];
  moq: readonly [number, number];
  leadDays: readonly [number, number];
  /** Words for English names and descriptions ("Electronics", "Tech"). */
  nameWords: readonly string[];
  nameWordsZh: readonly string[];
}

export interface City {
  en: string;
  zh: string;
  province: string;
  provinceZh: string;
}

export const CITIES: Record<string, City> = {
  shenzhen: { en: 'Shenzhen', zh: '深圳', province: 'Guangdong', provinceZh: '广东' },
  dongguan: { en: 'Dongguan', zh: '东莞', province: 'Guangdong', provinceZh: '广东' },
  guangzhou: { en: 'Guangzhou', zh: '广州', province: 'Guangdong', provinceZh: '广东' },
  foshan: { en: 'Foshan', zh: '佛山', province: 'Guangdong', provinceZh: '广东' },
  zhongshan: { en: 'Zhongshan', zh: '中山', province: 'Guangdong', provinceZh: '广东' },
  yiwu: { en: 'Yiwu', zh: '义乌', province: 'Zhejiang', provinceZh: '浙江' },
  ningbo: { en: 'Ningbo', zh: '宁波', province: 'Zhejiang', provinceZh: '浙江' },
  hangzhou: { en: 'Hangzhou', zh: '杭州', province: 'Zhejiang', provinceZh: '浙江' },
  wenzhou: { en: 'Wenzhou', zh: '温州', province: 'Zhejiang', provinceZh: '浙江' },
  suzhou: { en: 'Suzhou', zh: '苏州', province: 'Jiangsu', provinceZh: '江苏' },
  nantong: { en: 'Nantong', zh: '南通', province: 'Jiangsu', provinceZh: '江苏' },
  xiamen: { en: 'Xiamen', zh: '厦门', province: 'Fujian', provinceZh: '福建' },
  quanzhou: { en: 'Quanzhou', zh: '泉州', province: 'Fujian', provinceZh: '福建' },
  qingdao: { en: 'Qingdao', zh: '青岛', province: 'Shandong', provinceZh: '山东' },
  tianjin: { en: 'Tianjin', zh: '天津', province: 'Tianjin', provinceZh: '天津' },
};

export const CATEGORIES: readonly Category[] = [
  {
    id: 'electronics',
    en: 'Consumer electronics',
    zh: '消费电子',
    products: [
      { en: 'bluetooth speaker', zh: '蓝牙音箱', priceCents: 850 },
      { en: 'wireless earbuds', zh: '无线耳机', priceCents: 1200 },
      { en: 'power bank', zh: '移动电源', priceCents: 650 },
      { en: 'smart watch', zh: '智能手表', priceCents: 1800 },
      { en: 'usb charger', zh: 'USB充电器', priceCents: 250 },
      { en: 'led desk lamp', zh: 'LED台灯', priceCents: 900 },
    ],
    certifications: ['CE', 'RoHS', 'FCC', 'UL', 'ISO 9001'],
    cities: ['shenzhen', 'dongguan', 'guangzhou', 'zhongshan'],
    moq: [100, 3000],
    leadDays: [10, 40],
    nameWords: ['Electronics', 'Tech', 'Digital', 'Smart'],
    nameWordsZh: ['电子', '科技', '数码', '智能'],
  },
  {
    id: 'textiles',
    en: 'Textiles and apparel',
    zh: '纺织服装',
    products: [
      { en: 'cotton t-shirt', zh: '纯棉T恤', priceCents: 320 },
      { en: 'hoodie', zh: '连帽卫衣', priceCents: 780 },
      { en: 'yoga leggings', zh: '瑜伽裤', priceCents: 540 },
      { en: 'tote bag', zh: '帆布袋', priceCents: 180 },
      { en: 'bath towel', zh: '浴巾', priceCents: 260 },
      { en: 'knitted scarf', zh: '针织围巾', priceCents: 300 },
    ],
    certifications: ['OEKO-TEX', 'BSCI', 'GOTS', 'ISO 9001', 'WRAP'],
    cities: ['ningbo', 'hangzhou', 'nantong', 'quanzhou', 'guangzhou'],
    moq: [200, 5000],
    leadDays: [15, 45],
    nameWords: ['Garment', 'Textile', 'Apparel', 'Knitting'],
    nameWordsZh: ['服装', '纺织', '服饰', '针织'],
  },
  {
    id: 'furniture',
    en: 'Furniture',
    zh: '家具',
    products: [
      { en: 'office chair', zh: '办公椅', priceCents: 3800 },
      { en: 'dining table', zh: '餐桌', priceCents: 9500 },
      { en: 'bookshelf', zh: '书架', priceCents: 4200 },
      { en: 'sofa', zh: '沙发', priceCents: 18000 },
      { en: 'bar stool', zh: '吧台椅', priceCents: 2100 },
    ],
    certifications: ['FSC', 'BIFMA', 'ISO 9001', 'CARB', 'BSCI'],
    cities: ['foshan', 'dongguan', 'hangzhou', 'tianjin'],
    moq: [20, 500],
    leadDays: [25, 60],
    nameWords: ['Furniture', 'Home', 'Woodcraft', 'Living'],
    nameWordsZh: ['家具', '家居', '木业', '居家'],
  },
  {
    id: 'packaging',
    en: 'Packaging',
    zh: '包装',
    products: [
      { en: 'corrugated shipping box', zh: '瓦楞纸箱', priceCents: 45 },
      { en: 'paper gift bag', zh: '纸质礼品袋', priceCents: 30 },
      { en: 'kraft mailer', zh: '牛皮纸邮寄袋', priceCents: 12 },
      { en: 'cosmetic jar', zh: '化妆品瓶', priceCents: 55 },
      { en: 'rigid gift box', zh: '精品礼盒', priceCents: 120 },
    ],
    certifications: ['FSC', 'ISO 9001', 'ISO 14001', 'BRC', 'FDA'],
    cities: ['dongguan', 'yiwu', 'xiamen', 'shenzhen', 'suzhou'],
    moq: [1000, 20000],
    leadDays: [7, 30],
    nameWords: ['Packaging', 'Printing', 'Paper Products', 'Pack'],
    nameWordsZh: ['包装', '印刷', '纸品', '包装材料'],
  },
  {
    id: 'kitchenware',
    en: 'Kitchenware',
    zh: '厨具',
    products: [
      { en: 'stainless steel water bottle', zh: '不锈钢保温杯', priceCents: 280 },
      { en: 'non-stick frying pan', zh: '不粘锅', priceCents: 650 },
      { en: 'silicone baking mat', zh: '硅胶烘焙垫', priceCents: 140 },
      { en: 'ceramic mug', zh: '陶瓷马克杯', priceCents: 110 },
      { en: 'bamboo cutting board', zh: '竹砧板', priceCents: 230 },
    ],
    certifications: ['FDA', 'LFGB', 'ISO 9001', 'BSCI', 'SGS'],
    cities: ['yiwu', 'ningbo', 'guangzhou', 'quanzhou'],
    moq: [300, 5000],
    leadDays: [12, 40],
    nameWords: ['Kitchenware', 'Housewares', 'Homeware', 'Cookware'],
    nameWordsZh: ['厨具', '日用品', '家居用品', '炊具'],
  },
  {
    id: 'toys',
    en: 'Toys',
    zh: '玩具',
    products: [
      { en: 'plush toy', zh: '毛绒玩具', priceCents: 220 },
      { en: 'building blocks', zh: '积木', priceCents: 480 },
      { en: 'remote control car', zh: '遥控车', priceCents: 1100 },
      { en: 'wooden puzzle', zh: '木制拼图', priceCents: 190 },
    ],
    certifications: ['EN71', 'ASTM F963', 'CE', 'ISO 9001', 'BSCI'],
    cities: ['dongguan', 'yiwu', 'shenzhen', 'ningbo'],
    moq: [300, 5000],
    leadDays: [15, 45],
    nameWords: ['Toys', 'Playthings', 'Kids', 'Fun'],
    nameWordsZh: ['玩具', '玩具制品', '童趣', '益智'],
  },
  {
    id: 'cosmetics',
    en: 'Cosmetics and personal care',
    zh: '化妆品与个人护理',
    products: [
      { en: 'lipstick', zh: '口红', priceCents: 160 },
      { en: 'face serum', zh: '精华液', priceCents: 240 },
      { en: 'shampoo', zh: '洗发水', priceCents: 190 },
      { en: 'makeup brush set', zh: '化妆刷套装', priceCents: 350 },
    ],
    certifications: ['GMPC', 'ISO 22716', 'FDA', 'ISO 9001', 'Halal'],
    cities: ['guangzhou', 'yiwu', 'shenzhen', 'hangzhou'],
    moq: [500, 10000],
    leadDays: [20, 50],
    nameWords: ['Cosmetics', 'Beauty', 'Biotech', 'Care'],
    nameWordsZh: ['化妆品', '美妆', '生物科技', '日化'],
  },
  {
    id: 'hardware',
    en: 'Hardware and tools',
    zh: '五金工具',
    products: [
      { en: 'cordless drill', zh: '无绳电钻', priceCents: 2400 },
      { en: 'hex key set', zh: '内六角扳手套装', priceCents: 150 },
      { en: 'stainless steel hinge', zh: '不锈钢合页', priceCents: 60 },
      { en: 'tool box', zh: '工具箱', priceCents: 900 },
      { en: 'padlock', zh: '挂锁', priceCents: 170 },
    ],
    certifications: ['CE', 'GS', 'ISO 9001', 'RoHS', 'UL'],
    cities: ['ningbo', 'wenzhou', 'suzhou', 'qingdao', 'tianjin'],
    moq: [200, 5000],
    leadDays: [15, 45],
    nameWords: ['Hardware', 'Tools', 'Precision', 'Metal'],
    nameWordsZh: ['五金', '工具', '精密', '金属制品'],
  },
  {
    id: 'sporting',
    en: 'Sporting goods',
    zh: '体育用品',
    products: [
      { en: 'yoga mat', zh: '瑜伽垫', priceCents: 420 },
      { en: 'resistance band', zh: '弹力带', priceCents: 90 },
      { en: 'camping tent', zh: '露营帐篷', priceCents: 2600 },
      { en: 'dumbbell', zh: '哑铃', priceCents: 750 },
    ],
    certifications: ['SGS', 'ISO 9001', 'BSCI', 'CE', 'REACH'],
    cities: ['xiamen', 'quanzhou', 'ningbo', 'qingdao'],
    moq: [100, 3000],
    leadDays: [15, 40],
    nameWords: ['Sports', 'Outdoor', 'Fitness', 'Athletic'],
    nameWordsZh: ['体育', '户外', '健身', '运动'],
  },
  {
    id: 'lighting',
    en: 'Lighting',
    zh: '照明',
    products: [
      { en: 'led bulb', zh: 'LED灯泡', priceCents: 95 },
      { en: 'solar garden light', zh: '太阳能草坪灯', priceCents: 320 },
      { en: 'led strip light', zh: 'LED灯带', priceCents: 410 },
      { en: 'pendant light', zh: '吊灯', priceCents: 2200 },
    ],
    certifications: ['CE', 'RoHS', 'UL', 'ERP', 'ISO 9001'],
    cities: ['zhongshan', 'shenzhen', 'ningbo', 'foshan'],
    moq: [200, 5000],
    leadDays: [12, 35],
    nameWords: ['Lighting', 'Optoelectronics', 'Lamps', 'Illumination'],
    nameWordsZh: ['照明', '光电', '灯饰', '灯具'],
  },
];

export const MARKETS = ['US', 'EU', 'UK', 'JP', 'AU', 'CA', 'Middle East', 'Southeast Asia', 'Latin America'] as const;

export const CAPABILITIES = [
  'OEM',
  'ODM',
  'custom logo',
  'custom packaging',
  'private label',
  'small batch',
  'drop shipping',
  'in-house design',
];
export const CAPABILITIES_ZH: Record<string, string> = {
  OEM: '来料加工',
  ODM: '原创设计',
  'custom logo': '定制标志',
  'custom packaging': '定制包装',
  'private label': '贴牌',
  'small batch': '小批量',
  'drop shipping': '一件代发',
  'in-house design': '自主设计',
};

/** Prefixes of English trade names and their Chinese counterparts. */
export const BRAND_WORDS: readonly (readonly [string, string])[] = [
  ['Brightway', '明辉'],
  ['Goldsun', '金阳'],
  ['Everwin', '恒胜'],
  ['Hongda', '宏达'],
  ['Jiahe', '佳禾'],
  ['Xinyuan', '鑫源'],
  ['Tianrui', '天瑞'],
  ['Huamei', '华美'],
  ['Kaida', '凯达'],
  ['Longsheng', '隆盛'],
  ['Fuxing', '富兴'],
  ['Ruifeng', '瑞丰'],
  ['Shengtai', '盛泰'],
  ['Yongkang', '永康'],
  ['Zhongxin', '中信'],
  ['Bairun', '百润'],
  ['Dingfeng', '鼎丰'],
  ['Guanghui', '光辉'],
  ['Haitian', '海天'],
  ['Jinhong', '金宏'],
  ['Lianfa', '联发'],
  ['Mingda', '明达'],
  ['Oriental Star', '东方之星'],
  ['Pacific', '太平洋'],
  ['Sunrise', '旭日'],
  ['Unicorn', '独角兽'],
  ['Wanli', '万利'],
  ['Xiangtai', '祥泰'],
  ['Yida', '亿达'],
  ['Zhenhua', '振华'],
];
